package io.fleetsim.uptane;

import io.fleetsim.uptane.crypto.Hex;
import io.fleetsim.uptane.json.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.util.Base64;
import org.bouncycastle.asn1.x9.ECNamedCurveTable;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.generators.ECKeyPairGenerator;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECKeyGenerationParameters;
import org.bouncycastle.crypto.params.ParametersWithRandom;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;

/**
 * ECDSA and RSA-PSS signing keys for tests, written as the TUF ecosystem writes them (PEM public
 * keys, DER ECDSA signatures), so the client's handling of those key types can be checked.
 */
public final class PemSigners {
  private PemSigners() {}

  /** A key pair plus its TUF key object; its key id is the hash of that object. */
  public record PemSigner(Json.Obj keyObject, AsymmetricCipherKeyPair pair, String scheme)
      implements HandMade.Signer {
    @Override
    public String keyId() {
      return HandMade.keyId(keyObject);
    }

    @Override
    public String signHex(byte[] message) {
      Signer s;
      if (scheme.startsWith("ecdsa")) {
        Digest d = scheme.endsWith("384") ? new SHA384Digest() : new SHA256Digest();
        Digest k = scheme.endsWith("384") ? new SHA384Digest() : new SHA256Digest();
        s = new DSADigestSigner(new ECDSASigner(new HMacDSAKCalculator(k)), d);
        s.init(true, pair.getPrivate());
      } else if (scheme.startsWith("rsa-pkcs1v15")) {
        s = new org.bouncycastle.crypto.signers.RSADigestSigner(new SHA256Digest());
        s.init(true, pair.getPrivate());
      } else {
        s = new PSSSigner(new RSABlindedEngine(), new SHA256Digest(), 32);
        s.init(true, new ParametersWithRandom(pair.getPrivate(), seeded(1)));
      }
      s.update(message, 0, message.length);
      try {
        return Hex.encode(s.generateSignature());
      } catch (org.bouncycastle.crypto.CryptoException e) {
        throw new IllegalStateException(e);
      }
    }
  }

  static SecureRandom seeded(long seed) {
    try {
      SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
      r.setSeed(seed);
      return r;
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static PemSigner ecdsa(String keyType, String curve, String scheme, long seed) {
    X9ECParameters x9 = ECNamedCurveTable.getByName(curve);
    ECKeyPairGenerator g = new ECKeyPairGenerator();
    g.init(
        new ECKeyGenerationParameters(
            new ECDomainParameters(x9.getCurve(), x9.getG(), x9.getN(), x9.getH()), seeded(seed)));
    AsymmetricCipherKeyPair pair = g.generateKeyPair();
    return new PemSigner(keyObject(keyType, scheme, pair), pair, scheme);
  }

  public static PemSigner ecdsaP256(long seed) {
    return ecdsa("ecdsa", "secp256r1", "ecdsa-sha2-nistp256", seed);
  }

  public static PemSigner ecdsaP384(long seed) {
    return ecdsa("ecdsa", "secp384r1", "ecdsa-sha2-nistp384", seed);
  }

  public static PemSigner rsaPss(long seed) {
    return rsa("rsassa-pss-sha256", seed);
  }

  public static PemSigner rsa(String scheme, long seed) {
    RSAKeyPairGenerator g = new RSAKeyPairGenerator();
    g.init(new RSAKeyGenerationParameters(BigInteger.valueOf(65537), seeded(seed), 2048, 80));
    AsymmetricCipherKeyPair pair = g.generateKeyPair();
    return new PemSigner(keyObject("rsa", scheme, pair), pair, scheme);
  }

  private static Json.Obj keyObject(String keyType, String scheme, AsymmetricCipherKeyPair pair) {
    return Json.obj(
        "keytype", Json.str(keyType),
        "scheme", Json.str(scheme),
        "keyval", Json.obj("public", Json.str(pem(pair))));
  }

  public static String pem(AsymmetricCipherKeyPair pair) {
    try {
      byte[] der =
          SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pair.getPublic()).getEncoded();
      return "-----BEGIN PUBLIC KEY-----\n"
          + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
          + "\n-----END PUBLIC KEY-----\n";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
