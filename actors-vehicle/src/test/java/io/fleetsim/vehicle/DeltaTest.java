package io.fleetsim.vehicle;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.sigpipe.jbsdiff.Diff;
import java.io.ByteArrayOutputStream;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DeltaTest {

  static byte[] diff(byte[] from, byte[] to) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    Diff.diff(from, to, out);
    return out.toByteArray();
  }

  @Test
  void rebuildsTheNewImageFromTheOldOneAndTheDelta() throws Exception {
    Random rng = new Random(5);
    byte[] v1 = new byte[64 * 1024];
    rng.nextBytes(v1);
    byte[] v2 = v1.clone();
    for (int i = 0; i < 40; i++) {
      v2[rng.nextInt(v2.length)] ^= 0x5A;
    }
    byte[] delta = diff(v1, v2);
    assertEquals(v2.length, Delta.outputLength(delta));
    assertArrayEquals(v2, Delta.apply(v1, delta, v2.length));
  }

  @Test
  void aDeltaThatLiesAboutItsLengthOrIsGarbageYieldsNothing() throws Exception {
    byte[] v1 = new byte[4096];
    byte[] v2 = new byte[4096];
    v2[7] = 1;
    byte[] delta = diff(v1, v2);
    assertEquals(0, Delta.apply(v1, delta, 999_999_999L).length);
    assertEquals(0, Delta.apply(v1, new byte[] {1, 2, 3}, 4096).length);
    byte[] corrupt = delta.clone();
    for (int i = 32; i < corrupt.length; i++) {
      corrupt[i] = (byte) ~corrupt[i];
    }
    assertEquals(0, Delta.apply(v1, corrupt, 4096).length);
  }
}
