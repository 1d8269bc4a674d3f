package io.fleetsim.persistence;

import com.typesafe.config.Config;
import java.sql.Connection;
import java.sql.DriverManager;
import java.util.UUID;

class H2JournalTest extends JournalContract {

  private final String db = "journal_" + UUID.randomUUID().toString().replace('-', '_');

  @Override
  Config backend() {
    return PersistenceSetup.h2InMemory(db);
  }

  @Override
  Connection connect() throws Exception {
    return DriverManager.getConnection("jdbc:h2:mem:" + db + ";DB_CLOSE_DELAY=-1", "sa", "");
  }

  @Override
  String table(String name) {
    return "\"" + name + "\"";
  }

  @Override
  String column(String name) {
    return "\"" + name + "\"";
  }
}
