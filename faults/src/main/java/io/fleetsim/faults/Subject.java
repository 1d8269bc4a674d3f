package io.fleetsim.faults;

/**
 * What a fault may be applied to: a vehicle (its VIN and region, and the campaign of the update it
 * is running, null when none), or one of its ECUs ({@code ecuType} set).
 */
public record Subject(String vin, String region, String ecuType, String campaignId) {
  public Subject {
    if (vin == null || vin.isBlank()) {
      throw new IllegalArgumentException("a fault's subject needs a VIN");
    }
  }

  /** The vehicle itself, as its link to the cloud sees it. */
  public static Subject vehicle(String vin, String region, String campaignId) {
    return new Subject(vin, region, null, campaignId);
  }

  /** One of the vehicle's ECUs, for faults a selector aims at ECU types. */
  public Subject ecu(String type) {
    return new Subject(vin, region, type, campaignId);
  }
}
