package io.fleetsim.cluster;

/**
 * Marker for every command, event, state and reply that may cross nodes or reach the journal.
 * {@code reference.conf} binds it to Pekko's {@code jackson-cbor} serializer, so implementing it is
 * all a record needs to be persisted or sent remotely.
 */
public interface CborSerializable {}
