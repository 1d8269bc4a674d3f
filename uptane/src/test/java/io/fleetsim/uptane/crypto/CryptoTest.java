package io.fleetsim.uptane.crypto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CryptoTest {
  // RFC 8032, section 7.1, TEST 1.
  private static final String SECRET =
      "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60";
  private static final String PUBLIC =
      "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a";
  private static final String SIG =
      "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b";

  @Test
  void matchesRfc8032Vector() {
    SigningKey k = SigningKey.fromSeed(Hex.decode(SECRET));
    assertEquals(PUBLIC, k.publicKey().hex());
    assertEquals(SIG, Hex.encode(k.sign(new byte[0])));
    assertTrue(k.publicKey().verify(new byte[0], Hex.decode(SIG)));
  }

  @Test
  void keyIdIsSha256OfTheCanonicalKeyObject() {
    // sha256 of {"keytype":"ed25519","keyval":{"public":"d75a..."},"scheme":"ed25519"}
    assertEquals(
        "74c181c7ad8a0855d4b55e44d2ba87aabdddb196832571f15f92fece332e4916",
        PublicKey.fromHex(PUBLIC).keyId());
  }

  @Test
  void generationIsDeterministicForASeededRandom() {
    SigningKey a = SigningKey.generate(new Random(42));
    SigningKey b = SigningKey.generate(new Random(42));
    SigningKey c = SigningKey.generate(new Random(43));
    assertArrayEquals(a.seed(), b.seed());
    assertEquals(a.publicKey(), b.publicKey());
    assertEquals(a.publicKey().hashCode(), b.publicKey().hashCode());
    assertNotEquals(a.publicKey(), c.publicKey());
    assertEquals(a.publicKey(), SigningKey.fromSeed(a.seed()).publicKey());
  }

  @Test
  void aSignatureFoundValidIsRecalledAndAnyChangedByteIsCheckedInFull() {
    SigningKey k = SigningKey.generate(new Random(7));
    SigningKey other = SigningKey.generate(new Random(8));
    byte[] msg = "targets v3".getBytes(StandardCharsets.UTF_8);
    byte[] sig = k.sign(msg);
    assertTrue(k.publicKey().verify(msg, sig));
    long computed = CryptoOps.verifications();
    long recalled = CryptoOps.recalled();
    assertTrue(k.publicKey().verify(msg.clone(), sig.clone()));
    assertEquals(computed, CryptoOps.verifications(), "the second check is recalled");
    assertEquals(recalled + 1, CryptoOps.recalled());
    // once cached, a tampered message, another key or a changed signature is still refused
    byte[] tampered = msg.clone();
    tampered[0] ^= 1;
    assertFalse(k.publicKey().verify(tampered, sig));
    assertFalse(other.publicKey().verify(msg, sig));
    byte[] bad = sig.clone();
    bad[63] ^= 1;
    assertFalse(k.publicKey().verify(msg, bad));
    assertEquals(computed + 3, CryptoOps.verifications(), "each refusal was computed");
    // a refusal is never remembered
    assertFalse(k.publicKey().verify(tampered, sig));
    assertEquals(computed + 4, CryptoOps.verifications());
  }

  @Test
  void verifyRefusesTamperedMessagesSignaturesAndOddLengths() {
    SigningKey k = SigningKey.generate(new Random(1));
    byte[] msg = "hello".getBytes(StandardCharsets.UTF_8);
    byte[] sig = k.sign(msg);
    assertTrue(k.publicKey().verify(msg, sig));
    assertFalse(k.publicKey().verify("hellp".getBytes(StandardCharsets.UTF_8), sig));
    byte[] bad = sig.clone();
    bad[10] ^= 1;
    assertFalse(k.publicKey().verify(msg, bad));
    assertFalse(k.publicKey().verify(msg, new byte[63]));
    assertFalse(k.publicKey().verify(msg, new byte[65]));
    assertFalse(k.publicKey().verify(msg, null));
    assertFalse(SigningKey.generate(new Random(2)).publicKey().verify(msg, sig));
    // A public key that is not a curve point verifies nothing (and does not throw).
    byte[] offCurve = new byte[32];
    java.util.Arrays.fill(offCurve, (byte) 0xff);
    assertFalse(new PublicKey(offCurve).verify(msg, sig));
    // nor the second time, when keys that are points have been decoded and kept
    assertFalse(new PublicKey(offCurve).verify(msg, sig));
    assertEquals(k.publicKey().keyId(), k.keyId());
    assertEquals(k.keyId(), k.keyId());
  }

  @Test
  void hexAndHashing() {
    assertEquals(
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        Hashing.sha256Hex(new byte[0]));
    byte[] data = "xabcx".getBytes(StandardCharsets.US_ASCII);
    assertEquals(
        Hashing.sha256Hex("abc".getBytes(StandardCharsets.US_ASCII)),
        Hashing.sha256Hex(data, 1, 3));
    assertThrows(IllegalArgumentException.class, () -> Hex.decode("abc"));
    assertThrows(IllegalArgumentException.class, () -> Hex.decode("zz"));
    assertThrows(IllegalArgumentException.class, () -> new PublicKey(new byte[31]));
    assertThrows(IllegalArgumentException.class, () -> SigningKey.fromSeed(new byte[5]));
  }
}
