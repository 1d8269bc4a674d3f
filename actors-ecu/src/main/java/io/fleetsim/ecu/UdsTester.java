package io.fleetsim.ecu;

import io.fleetsim.cluster.time.SimClock;
import io.fleetsim.cluster.time.SimTimers;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * The tester side of the UDS download session, as the {@link CanBus} plays it towards one of its
 * ECUs: each request's answer comes back to the bus as {@link CanBus.UdsReplied}, and a request not
 * answered within the response timeout of simulated time as {@link CanBus.ResponseTimedOut}. Which
 * step comes next is the bus's decision; the tester only keeps the request each transfer waits on
 * (transient, like the timers: after a restart the bus asks again).
 *
 * <p>Answers come through message adapters, not Pekko's ask: the Java ask's continuation runs on
 * the common pool, where the simulation's clock cannot see it, and its timeout is wall time. Like a
 * real tester, the bus takes a response for the service it waits on as the answer, whichever
 * attempt of that request it answers.
 *
 * <p>The response timeout is a simulated timer started with the request, so a silent ECU is given
 * up on exactly {@code response-timeout} after the request. An answer at the deadline instant
 * itself is late: the timer, when it fires, only marks the wait as expired and the request is sent
 * again once that instant's work has settled (a zero-delay timer), so an answer handled at the
 * deadline instant is ignored whether it comes before or after the timer.
 *
 * <p>While a bus-off rule acts ({@link FaultedBus#off}) a request does not reach the ECU; its
 * response timer runs as for any request, so the bus asks again as it does a silent ECU.
 */
final class UdsTester {

  /**
   * The request a transfer waits on: its number, step and simulated deadline; {@code expired} once
   * the deadline timer fired.
   */
  private record Outstanding(long seq, CanBus.Step step, long deadlineMillis) {}

  private final String vin;
  private final SimTimers<CanBus.Command> timers;
  private final SimClock clock;
  private final Function<String, RecipientRef<Ecu.Command>> ecuFor;
  private final Duration responseTimeout;
  private final FaultedBus faulted;
  private final ActorRef<Ecu.UdsResponse> udsAnswers;
  private final ActorRef<Ecu.Status> statusAnswers;
  private final Map<String, Outstanding> outstanding = new HashMap<>();
  private long seq;

  UdsTester(
      String vin,
      ActorContext<CanBus.Command> context,
      SimTimers<CanBus.Command> timers,
      Function<String, RecipientRef<Ecu.Command>> ecuFor,
      Duration responseTimeout,
      FaultedBus faulted) {
    this.vin = vin;
    this.faulted = faulted;
    this.timers = timers;
    this.clock = timers.clock();
    this.ecuFor = ecuFor;
    this.responseTimeout = responseTimeout;
    this.udsAnswers =
        context.messageAdapter(
            Ecu.UdsResponse.class,
            r -> new CanBus.UdsReplied(r.transferId(), CanBus.Step.of(r.service()), r));
    this.statusAnswers = context.messageAdapter(Ecu.Status.class, CanBus.EcuStateSeen::new);
  }

  Duration responseTimeout() {
    return responseTimeout;
  }

  private RecipientRef<Ecu.Command> ecu(CanBus.Transfer t) {
    return ecuFor.apply(Ecu.entityId(vin, t.ecuId()));
  }

  void openSession(CanBus.Transfer t) {
    ask(
        t,
        CanBus.Step.SESSION,
        new Ecu.DiagnosticSessionControl(t.transferId(), Ecu.Session.PROGRAMMING, udsAnswers));
  }

  void requestDownload(CanBus.Transfer t) {
    ask(
        t,
        CanBus.Step.DOWNLOAD,
        new Ecu.RequestDownload(t.transferId(), 0, t.length(), t.directorTargets(), udsAnswers));
  }

  void transferData(CanBus.Transfer t, int counter, byte[] group) {
    ask(t, CanBus.Step.DATA, new Ecu.TransferData(t.transferId(), counter, group, udsAnswers));
  }

  void requestExit(CanBus.Transfer t) {
    ask(t, CanBus.Step.EXIT, new Ecu.RequestTransferExit(t.transferId(), udsAnswers));
  }

  /**
   * Returns the ECU to the default session, which drops an open download, so the next transfer can
   * open one. Told, its answer ignored: an ECU that does not hear it refuses the next
   * RequestDownload once, and that refusal closes the session again.
   */
  void closeSession(CanBus.Transfer t) {
    ecu(t).tell(new Ecu.DiagnosticSessionControl(t.transferId(), Ecu.Session.DEFAULT, udsAnswers));
  }

  /**
   * Asks the ECU how its last install ended, for a notice that may have been lost. Only an answer
   * counts (it names the transfer of that install); a missing one changes nothing.
   */
  void askStatus(CanBus.Transfer t) {
    ecu(t).tell(new Ecu.GetStatus(statusAnswers));
  }

  /**
   * Whether {@code reply} answers the request its transfer waits on (the same step), before the
   * deadline; if so the wait ends. Anything else (an answer to a step already done, a late answer,
   * the answer to closing the session) is to be ignored.
   */
  boolean answered(CanBus.UdsReplied reply) {
    Outstanding o = outstanding.get(reply.transferId());
    if (o == null || o.step() != reply.step() || clock.nowMillis() >= o.deadlineMillis()) {
      return false;
    }
    forget(reply.transferId());
    return true;
  }

  /**
   * The step whose answer did not come in time, once the deadline instant's work has settled; empty
   * while it settles, or when {@code timeout} is no longer the current wait.
   */
  Optional<CanBus.Step> timedOut(CanBus.ResponseTimedOut timeout) {
    Outstanding o = outstanding.get(timeout.transferId());
    if (o == null || o.seq() != timeout.seq()) {
      return Optional.empty();
    }
    if (!timeout.settled()) {
      // answers handled at this instant are late either way (now >= deadline); ask again after
      timers.startSingleTimer(
          timerKey(timeout.transferId()),
          new CanBus.ResponseTimedOut(timeout.transferId(), timeout.seq(), true),
          Duration.ZERO);
      return Optional.empty();
    }
    outstanding.remove(timeout.transferId());
    return Optional.of(o.step());
  }

  /** The transfer waits on nothing any more (it ended). */
  void forget(String transferId) {
    outstanding.remove(transferId);
    timers.cancel(timerKey(transferId));
  }

  private static String timerKey(String transferId) {
    return "response-" + transferId;
  }

  private void ask(CanBus.Transfer t, CanBus.Step step, Ecu.UdsRequest request) {
    String id = t.transferId();
    long n = ++seq;
    // the instant the timer below fires at
    outstanding.put(
        id, new Outstanding(n, step, clock.nowMillis() + SimClock.delayMillis(responseTimeout)));
    timers.startSingleTimer(
        timerKey(id), new CanBus.ResponseTimedOut(id, n, false), responseTimeout);
    if (faulted.off().isPresent()) {
      return;
    }
    ecu(t).tell(request);
  }
}
