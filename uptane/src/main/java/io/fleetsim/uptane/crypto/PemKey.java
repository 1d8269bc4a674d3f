package io.fleetsim.uptane.crypto;

import io.fleetsim.uptane.json.Json;
import java.io.IOException;
import java.util.Base64;
import java.util.Locale;
import org.bouncycastle.crypto.AsymmetricBlockCipher;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.engines.RSABlindedEngine;
import org.bouncycastle.crypto.params.AsymmetricKeyParameter;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.PSSSigner;
import org.bouncycastle.crypto.signers.RSADigestSigner;
import org.bouncycastle.crypto.util.PublicKeyFactory;

/**
 * An ECDSA or RSA public key as the TUF ecosystem writes it: a PEM {@code SubjectPublicKeyInfo} in
 * {@code keyval.public}. Schemes: {@code ecdsa-sha2-nistp256} and {@code ecdsa-sha2-nistp384} (key
 * type {@code ecdsa} or, in older metadata, the scheme name itself; DER signatures, as
 * securesystemslib writes them), {@code rsassa-pss-sha256/384/512} and {@code
 * rsa-pkcs1v15-sha256/384/512} (key type {@code rsa}). Verification uses Bouncy Castle.
 */
public final class PemKey implements VerifyingKey {
  private final String keyType;
  private final String scheme;
  private final String pem;
  private final AsymmetricKeyParameter key;

  private PemKey(String keyType, String scheme, String pem, AsymmetricKeyParameter key) {
    this.keyType = keyType;
    this.scheme = scheme;
    this.pem = pem;
    this.key = key;
  }

  /** Whether {@code keyType}/{@code scheme} is a combination this class implements. */
  public static boolean handles(String keyType, String scheme) {
    return ecCurveBits(keyType, scheme) > 0 || rsaDigest(keyType, scheme) != null;
  }

  /**
   * Parses the PEM; IllegalArgumentException when it is not a public key of the kind the key type
   * and scheme announce (an ECDSA scheme on the wrong curve, an RSA scheme with an EC key, ...).
   */
  public static PemKey of(String keyType, String scheme, String pem) {
    if (!handles(keyType, scheme)) {
      throw new IllegalArgumentException("not a PEM key scheme: " + keyType + "/" + scheme);
    }
    AsymmetricKeyParameter k;
    try {
      k = PublicKeyFactory.createKey(der(pem));
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a PEM public key: " + e.getMessage(), e);
    }
    if (k.isPrivate()) {
      throw new IllegalArgumentException("a private key where a public key belongs");
    }
    int bits = ecCurveBits(keyType, scheme);
    if (bits > 0) {
      if (!(k instanceof ECPublicKeyParameters ec)
          || ec.getParameters().getCurve().getFieldSize() != bits) {
        throw new IllegalArgumentException(scheme + " needs a P-" + bits + " public key");
      }
    } else if (!(k instanceof RSAKeyParameters rsa) || rsa.getModulus().bitLength() < 2048) {
      throw new IllegalArgumentException(scheme + " needs an RSA public key of 2048 bits or more");
    }
    return new PemKey(keyType, scheme, pem, k);
  }

  private static byte[] der(String pem) {
    String body = pem.trim();
    String begin = "-----BEGIN PUBLIC KEY-----";
    String end = "-----END PUBLIC KEY-----";
    if (!body.startsWith(begin) || !body.endsWith(end)) {
      throw new IllegalArgumentException("PEM must be one BEGIN/END PUBLIC KEY block");
    }
    body = body.substring(begin.length(), body.length() - end.length());
    return Base64.getMimeDecoder().decode(body);
  }

  private static int ecCurveBits(String keyType, String scheme) {
    int bits =
        switch (scheme) {
          case "ecdsa-sha2-nistp256" -> 256;
          case "ecdsa-sha2-nistp384" -> 384;
          default -> 0;
        };
    return bits > 0 && (keyType.equals("ecdsa") || keyType.equals(scheme)) ? bits : 0;
  }

  private static String rsaDigest(String keyType, String scheme) {
    if (!keyType.equals("rsa")) {
      return null;
    }
    String s = scheme.toLowerCase(Locale.ROOT);
    for (String prefix : new String[] {"rsassa-pss-", "rsa-pkcs1v15-"}) {
      if (s.equals(scheme) && s.startsWith(prefix)) {
        String d = s.substring(prefix.length());
        if (d.equals("sha256") || d.equals("sha384") || d.equals("sha512")) {
          return d;
        }
      }
    }
    return null;
  }

  private static Digest digest(String name) {
    return switch (name) {
      case "sha384" -> new SHA384Digest();
      case "sha512" -> new SHA512Digest();
      default -> new SHA256Digest();
    };
  }

  @Override
  public String keyType() {
    return keyType;
  }

  @Override
  public String scheme() {
    return scheme;
  }

  public String pem() {
    return pem;
  }

  @Override
  public boolean verify(byte[] message, byte[] signature) {
    CryptoOps.verified();
    if (message == null || signature == null || signature.length == 0) {
      return false;
    }
    try {
      if (key instanceof ECPublicKeyParameters) {
        Signer s =
            new DSADigestSigner(
                new ECDSASigner(),
                ecCurveBits(keyType, scheme) == 384 ? digest("sha384") : digest("sha256"));
        return check(s, message, signature);
      }
      String d = rsaDigest(keyType, scheme);
      if (scheme.startsWith("rsa-pkcs1v15-")) {
        return check(new RSADigestSigner(digest(d)), message, signature);
      }
      // Signers use the digest length as salt (securesystemslib, go-tuf); the longest salt the
      // key allows is the other common choice.
      int hLen = digest(d).getDigestSize();
      int emLen = (((RSAKeyParameters) key).getModulus().bitLength() + 6) / 8;
      for (int salt : new int[] {hLen, emLen - hLen - 2}) {
        AsymmetricBlockCipher rsa = new RSABlindedEngine();
        if (check(new PSSSigner(rsa, digest(d), salt), message, signature)) {
          return true;
        }
      }
      return false;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private boolean check(Signer s, byte[] message, byte[] signature) {
    s.init(false, key);
    s.update(message, 0, message.length);
    return s.verifySignature(signature);
  }

  @Override
  public Json.Obj toJson() {
    return Json.obj(
        "keytype", Json.str(keyType),
        "scheme", Json.str(scheme),
        "keyval", Json.obj("public", Json.str(pem)));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PemKey p
        && p.keyType.equals(keyType)
        && p.scheme.equals(scheme)
        && p.pem.equals(pem);
  }

  @Override
  public int hashCode() {
    return pem.hashCode();
  }

  @Override
  public String toString() {
    return "PemKey[" + keyType + "/" + scheme + "]";
  }
}
