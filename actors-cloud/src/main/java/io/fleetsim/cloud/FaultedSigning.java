package io.fleetsim.cloud;

import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.faults.FaultRule;
import io.fleetsim.faults.Faults;
import io.fleetsim.faults.LinkTampering;
import io.fleetsim.faults.Point;
import io.fleetsim.faults.RepositorySigning;
import io.fleetsim.faults.Subject;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * The faults module's interception point in one Director record's signing ({@link
 * Point#REPOSITORY}): the role files the record serves its vehicle, as an attacker holding keys
 * stolen from the Director signs them instead ({@link RepositorySigning}). Every rule that changed
 * a file is counted as injected in the node's ledger. With no rule at the point it returns the
 * genuine file without building anything.
 */
final class FaultedSigning {

  private final String vin;
  private final DirectorKeys keys;
  private final SimClock clock;
  private final Faults faults;

  FaultedSigning(ActorSystem<?> system, String vin, DirectorKeys keys, SimClock clock) {
    this.vin = vin;
    this.keys = keys;
    this.clock = clock;
    this.faults = Faults.get(system);
  }

  /** The role file {@code name} of {@code md}, as the record's vehicle receives it now. */
  byte[] file(Director.State s, Director.SignedMetadata md, String name) {
    byte[] genuine = DirectorRequests.file(md, name);
    if (!faults.actsAt(Point.REPOSITORY)) {
      return genuine;
    }
    long now = clock.now().toEpochMilli();
    String campaign =
        s.assignments().values().stream()
            .map(Director.Assignment::campaignId)
            .findFirst()
            .orElse(null);
    String region = s.registration() == null ? null : s.registration().region();
    List<FaultRule> acting =
        faults.acting(Point.REPOSITORY, Subject.vehicle(vin, region, campaign), now);
    if (acting.isEmpty()) {
      return genuine;
    }
    LinkTampering.Outcome o =
        faults
            .repositorySigning()
            .serve(
                acting,
                vin,
                new RepositorySigning.Served(
                    md.targets(), md.snapshot(), md.timestamp(), md.signedAt().toEpochMilli()),
                name,
                now,
                keys);
    o.applied().forEach(r -> faults.ledger().injected(r, vin));
    return o.bytes();
  }
}
