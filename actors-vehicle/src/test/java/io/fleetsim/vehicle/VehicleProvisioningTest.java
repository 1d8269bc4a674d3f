package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.fleetsim.ecu.Bank;
import io.fleetsim.ecu.EcuType;
import io.fleetsim.ecu.Transport;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A spec is refused with the field that is wrong. */
class VehicleProvisioningTest {

  static final Set<String> PROFILES = Set.of("5g", "lte");
  static final Bank BANK = new Bank("ENGINE/1.0.0.img", "ab".repeat(32), 10, 1, true);

  static Vehicle.EcuSpec ecu(String id, String serial) {
    return new Vehicle.EcuSpec(id, EcuType.ENGINE, "hw", serial, Transport.CAN_FD, 1000, BANK);
  }

  static Vehicle.Spec spec(String vin, String profile, List<Vehicle.EcuSpec> ecus) {
    return new Vehicle.Spec(vin, "Munich", "blue", Set.of(), profile, ecus);
  }

  static String problem(Vehicle.Spec spec) {
    return VehicleProvisioning.problem("VIN1", spec, PROFILES);
  }

  @Test
  void aGoodSpecHasNoProblem() {
    assertNull(problem(spec("VIN1", "5g", List.of(ecu("engine", "s1"), ecu("adas", "s2")))));
  }

  @Test
  void eachBadFieldIsNamed() {
    List<Vehicle.EcuSpec> one = List.of(ecu("engine", "s1"));
    assertEquals("spec: required", problem(null));
    assertEquals("spec.vin: VIN2 does not match entity VIN1", problem(spec("VIN2", "5g", one)));
    assertEquals(
        "spec.ecus: a vehicle needs at least one ECU", problem(spec("VIN1", "5g", List.of())));
    assertEquals(
        "spec.networkProfile: unknown profile 'pigeon', known: " + PROFILES,
        problem(spec("VIN1", "pigeon", one)));
    assertEquals(
        "spec.ecus: ECU ids must be unique",
        problem(spec("VIN1", "5g", List.of(ecu("engine", "s1"), ecu("engine", "s2")))));
    assertEquals(
        "spec.ecus: ECU serials must be unique",
        problem(spec("VIN1", "5g", List.of(ecu("engine", "s1"), ecu("adas", "s1")))));
  }
}
