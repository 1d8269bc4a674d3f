package io.fleetsim.uptane.repository;

/** The director's metadata for one vehicle: targets, snapshot and timestamp, signed. */
public record VehicleMetadata(
    String vin, int version, byte[] targets, byte[] snapshot, byte[] timestamp) {}
