package io.fleetsim.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.cluster.Seeds;
import java.util.List;
import org.junit.jupiter.api.Test;

class TagsTest {

  @Test
  void tagsNameTheEntityTypeAndSlice() {
    assertEquals("Vehicle-3", Tags.tag("Vehicle", 3));
    assertEquals(List.of("Ecu-0", "Ecu-1", "Ecu-2"), Tags.allTags("Ecu", 3));
    assertEquals(List.of("Campaign-0"), Tags.allTags("Campaign", 1));
  }

  @Test
  void anEntityAlwaysLandsInTheSameSliceOnEveryJvm() {
    String pid = "Vehicle|VIN0000000000001";
    int expected = (int) Long.remainderUnsigned(Seeds.stableHash(pid), 4);
    // floorMod and unsigned remainder agree for powers of two; pinned against the FNV-1a hash.
    assertEquals(expected, Tags.slice(pid, 4));
    assertEquals(Tags.slice(pid, 4), Tags.slice(pid, 4));
    assertEquals("Vehicle-" + expected, Tags.forEntity("Vehicle", pid, 4));
  }

  @Test
  void slicesAreInRangeAndSpreadEvenly() {
    int slices = 8;
    int[] counts = new int[slices];
    int n = 80_000;
    for (int i = 0; i < n; i++) {
      int s = Tags.slice(String.format("Vehicle|VIN%014d", i), slices);
      assertTrue(s >= 0 && s < slices);
      counts[s]++;
    }
    for (int c : counts) {
      // Expect 10,000 per slice; 5% either way is far beyond chance for a decent hash.
      assertTrue(c > 9_500 && c < 10_500, () -> java.util.Arrays.toString(counts));
    }
  }

  @Test
  void badInputIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Tags.slice("Vehicle|1", 0));
    assertThrows(IllegalArgumentException.class, () -> Tags.slice("Vehicle|1", -4));
    assertThrows(IllegalArgumentException.class, () -> Tags.allTags("Vehicle", 5000));
    assertThrows(NullPointerException.class, () -> Tags.slice(null, 4));
    assertThrows(IllegalArgumentException.class, () -> Tags.tag("Vehicle", -1));
    assertThrows(IllegalArgumentException.class, () -> Tags.tag("", 0));
    assertThrows(IllegalArgumentException.class, () -> Tags.tag("Vehicle,Ecu", 0));
    assertThrows(IllegalArgumentException.class, () -> Tags.tag("Vehicle-1", 0));
    assertThrows(NullPointerException.class, () -> Tags.tag(null, 0));
  }
}
