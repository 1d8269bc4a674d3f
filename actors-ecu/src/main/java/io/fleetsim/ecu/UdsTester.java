package io.fleetsim.ecu;

import java.time.Duration;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The tester side of the UDS download session, as the {@link CanBus} plays it towards one of its
 * ECUs: each request is asked with the response timeout, and its answer (or the missing answer)
 * comes back to the bus as {@link CanBus.UdsReplied}. It keeps nothing: which step comes next is
 * the bus's decision.
 */
final class UdsTester {

  private final String vin;
  private final ActorContext<CanBus.Command> context;
  private final Function<String, RecipientRef<Ecu.Command>> ecuFor;
  private final Duration responseTimeout;

  UdsTester(
      String vin,
      ActorContext<CanBus.Command> context,
      Function<String, RecipientRef<Ecu.Command>> ecuFor,
      Duration responseTimeout) {
    this.vin = vin;
    this.context = context;
    this.ecuFor = ecuFor;
    this.responseTimeout = responseTimeout;
  }

  private RecipientRef<Ecu.Command> ecu(CanBus.Transfer t) {
    return ecuFor.apply(Ecu.entityId(vin, t.ecuId()));
  }

  void openSession(CanBus.Transfer t) {
    ask(
        t,
        CanBus.Step.SESSION,
        r -> new Ecu.DiagnosticSessionControl(t.transferId(), Ecu.Session.PROGRAMMING, r));
  }

  void requestDownload(CanBus.Transfer t) {
    ask(
        t,
        CanBus.Step.DOWNLOAD,
        r -> new Ecu.RequestDownload(t.transferId(), 0, t.length(), t.directorTargets(), r));
  }

  void transferData(CanBus.Transfer t, int counter, byte[] group) {
    ask(t, CanBus.Step.DATA, r -> new Ecu.TransferData(t.transferId(), counter, group, r));
  }

  void requestExit(CanBus.Transfer t) {
    ask(t, CanBus.Step.EXIT, r -> new Ecu.RequestTransferExit(t.transferId(), r));
  }

  /**
   * Returns the ECU to the default session, which drops an open download, so the next transfer can
   * open one. Told, not asked: an ECU that does not hear it refuses the next RequestDownload once,
   * and that refusal closes the session again.
   */
  void closeSession(CanBus.Transfer t) {
    ecu(t)
        .tell(
            new Ecu.DiagnosticSessionControl(
                t.transferId(), Ecu.Session.DEFAULT, context.getSystem().ignoreRef()));
  }

  /** Asks the ECU how its last install ended, for a notice that may have been lost. */
  void askStatus(CanBus.Transfer t) {
    String id = t.transferId();
    context.ask(
        Ecu.Status.class,
        ecu(t),
        responseTimeout,
        Ecu.GetStatus::new,
        (s, err) -> new CanBus.EcuStateSeen(id, s, err == null ? null : err.getMessage()));
  }

  private void ask(
      CanBus.Transfer t, CanBus.Step step, Function<ActorRef<Ecu.UdsResponse>, Ecu.Command> req) {
    String id = t.transferId();
    context.ask(
        Ecu.UdsResponse.class,
        ecu(t),
        responseTimeout,
        req::apply,
        (resp, err) ->
            new CanBus.UdsReplied(
                id,
                step,
                resp,
                err == null ? null : err.getClass().getSimpleName() + ": " + err.getMessage()));
  }
}
