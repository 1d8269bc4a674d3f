package io.fleetsim.cloud;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.manifest.UpdateOutcome;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A batch is every fact of the instants before it, in one order whatever order they came in. */
class FactBufferTest {

  static Campaign.Command outcome(String vin, UpdateOutcome o) {
    return new Campaign.RecordOutcome(
        new Director.Outcome(vin.toLowerCase() + "/1", "c1", vin, o, "", "2.0", Instant.EPOCH),
        null);
  }

  static final List<Campaign.Command> FACTS =
      List.of(
          new Campaign.AssignmentReplied("V2", "c1/1", null),
          new Campaign.AssignmentReplied("V1", "c1/1", "ecuType: none"),
          new Campaign.RecordInProgress("V2", "c1/1"),
          new Campaign.RecordInProgress("V3", "c1/1"),
          outcome("V3", UpdateOutcome.FAILED),
          outcome("V2", UpdateOutcome.SUCCEEDED));

  @Test
  void theBatchOfAnInstantIsTheSameInEveryArrivalOrder() {
    List<Campaign.Command> first = null;
    Random random = new Random(7);
    for (int round = 0; round < 50; round++) {
      List<Campaign.Command> arrival = new ArrayList<>(FACTS);
      Collections.shuffle(arrival, random);
      FactBuffer<Campaign.Command> buffer = new FactBuffer<>(CampaignSpecs.FACT_ORDER);
      arrival.forEach(f -> buffer.add(f, 5));
      List<Campaign.Command> batch = buffer.drainBefore(6);
      if (first == null) {
        first = batch;
      }
      assertEquals(first, batch, "arrival order " + arrival);
    }
    // Caused before: an answer before the vehicle is in progress before its outcome.
    assertTrue(first.get(0) instanceof Campaign.AssignmentReplied);
    assertTrue(first.get(2) instanceof Campaign.RecordInProgress);
    assertTrue(first.get(5) instanceof Campaign.RecordOutcome);
  }

  @Test
  void factsOfTheWritesOwnInstantWaitForTheNextWrite() {
    FactBuffer<Campaign.Command> buffer = new FactBuffer<>(CampaignSpecs.FACT_ORDER);
    buffer.add(FACTS.get(0), 4);
    buffer.add(FACTS.get(2), 6);
    buffer.add(FACTS.get(1), 5);
    assertEquals(4, buffer.earliest().getAsLong());
    assertEquals(List.of(FACTS.get(1), FACTS.get(0)), buffer.drainBefore(6));
    assertEquals(1, buffer.size());
    assertEquals(6, buffer.earliest().getAsLong());
    assertTrue(buffer.drainBefore(6).isEmpty(), "not before its own instant is over");
    assertEquals(List.of(FACTS.get(2)), buffer.drainBefore(7));
    assertTrue(buffer.isEmpty());
    assertTrue(buffer.earliest().isEmpty());
  }
}
