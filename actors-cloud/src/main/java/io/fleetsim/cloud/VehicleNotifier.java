package io.fleetsim.cloud;

/**
 * The port through which the cloud wakes a vehicle after the Director made an assignment. The
 * composition root implements it; the cloud never depends on vehicle code.
 */
public interface VehicleNotifier {
  void notifyUpdate(String vin, String campaignId);

  /** For nodes and tests where vehicles only find assignments at their next poll. */
  VehicleNotifier NONE = (vin, campaignId) -> {};
}
