package io.fleetsim.uptane.client;

import static io.fleetsim.uptane.Assertions2.assertRefused;
import static io.fleetsim.uptane.Fixtures.T0;
import static io.fleetsim.uptane.HandMade.with;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.fleetsim.uptane.Attack;
import io.fleetsim.uptane.HandMade;
import io.fleetsim.uptane.HandMade.Signer;
import io.fleetsim.uptane.PemSigners;
import io.fleetsim.uptane.PemSigners.PemSigner;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.metadata.MetaFile;
import io.fleetsim.uptane.metadata.Role;
import io.fleetsim.uptane.metadata.SnapshotMetadata;
import io.fleetsim.uptane.metadata.TimestampMetadata;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.Repository;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** ECDSA and RSA keys as the TUF ecosystem writes them, and key types this client lacks. */
class KeyTypesTest {
  private static final PemSigner P256 = PemSigners.ecdsaP256(1);
  private static final PemSigner P384 = PemSigners.ecdsaP384(2);
  private static final PemSigner RSA = PemSigners.rsaPss(3);

  private final Repository repo =
      Repository.create("images", new Random(5), T0, Expiries.defaults());

  /** Root v2 giving {@code role} the single key {@code key} (threshold 1). */
  private byte[] rootV2(Map<Role, Json.Obj> roleKeys) {
    Json.Obj root = with(repo.currentRoot().signed().toJson(), "version", Json.num(2));
    Json.Obj keys = (Json.Obj) root.get("keys");
    Json.Obj roles = (Json.Obj) root.get("roles");
    for (Map.Entry<Role, Json.Obj> e : roleKeys.entrySet()) {
      String id = HandMade.keyId(e.getValue());
      keys = with(keys, id, e.getValue());
      roles =
          with(
              roles,
              e.getKey().type(),
              Json.obj("keyids", HandMade.strings(List.of(id)), "threshold", Json.num(1)));
    }
    root = with(with(root, "keys", keys), "roles", roles);
    return HandMade.envelope(root, List.of(Signer.of(repo.signingKeys(Role.ROOT).get(0))));
  }

  @Test
  void ecdsaP256P384AndRsaPssKeysSignTheirRoles() throws Exception {
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    set.updateRoot(
        rootV2(
            Map.of(
                Role.TIMESTAMP, P256.keyObject(),
                Role.SNAPSHOT, P384.keyObject(),
                Role.TARGETS, RSA.keyObject())));
    byte[] targets = HandMade.envelope(repo.signedTargets().signed().toJson(), List.of(RSA));
    SnapshotMetadata sm = repo.signedSnapshot().signed();
    byte[] snapshot =
        HandMade.envelope(
            new SnapshotMetadata(
                    1, sm.expires(), Map.of("targets.json", MetaFile.describing(1, targets)))
                .toJson(),
            List.of(P384));
    byte[] timestamp =
        HandMade.envelope(
            new TimestampMetadata(
                    1, repo.signedTimestamp().signed().expires(), MetaFile.describing(1, snapshot))
                .toJson(),
            List.of(P256));
    set.updateTimestamp(timestamp);
    set.updateSnapshot(snapshot);
    assertEquals(1, set.updateTargets(targets).version());
  }

  @Test
  void legacyEcdsaKeyTypesAndRsaPkcs1SignTheirRoles() throws Exception {
    PemSigner legacy =
        PemSigners.ecdsa("ecdsa-sha2-nistp256", "secp256r1", "ecdsa-sha2-nistp256", 7);
    PemSigner pkcs1 = PemSigners.rsa("rsa-pkcs1v15-sha256", 8);
    for (PemSigner key : List.of(legacy, pkcs1)) {
      TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
      set.updateRoot(rootV2(Map.of(Role.TIMESTAMP, key.keyObject())));
      Json.Obj body = repo.signedTimestamp().signed().toJson();
      assertEquals(1, set.updateTimestamp(HandMade.envelope(body, List.of(key))).version());
      assertRefused(
          Attack.BAD_SIGNATURE,
          () -> set.updateTimestamp(mixed(body, with(body, "version", Json.num(9)), key)));
    }
  }

  @Test
  void aTamperedEcdsaOrRsaSignatureIsABadSignature() throws Exception {
    for (PemSigner key : List.of(P256, RSA)) {
      TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
      set.updateRoot(rootV2(Map.of(Role.TIMESTAMP, key.keyObject())));
      Json.Obj body = repo.signedTimestamp().signed().toJson();
      Signer flipped =
          new Signer() {
            @Override
            public String keyId() {
              return key.keyId();
            }

            @Override
            public String signHex(byte[] message) {
              char[] c = key.signHex(message).toCharArray();
              c[c.length - 3] = c[c.length - 3] == '0' ? '1' : '0';
              return new String(c);
            }
          };
      assertRefused(
          Attack.BAD_SIGNATURE,
          () -> set.updateTimestamp(HandMade.envelope(body, List.of(flipped))));
      // Signed by the right key over other bytes.
      Json.Obj other = with(body, "version", Json.num(7));
      byte[] wrongMessage =
          HandMade.envelope(body, List.of(key)).length > 0 ? mixed(body, other, key) : null;
      assertRefused(Attack.BAD_SIGNATURE, () -> set.updateTimestamp(wrongMessage));
    }
  }

  /** {@code body} carrying the signature {@code key} made over {@code other}. */
  private static byte[] mixed(Json.Obj body, Json.Obj other, PemSigner key) {
    String sig = key.signHex(io.fleetsim.uptane.json.CanonicalJson.write(other));
    return HandMade.envelope(
        body,
        List.of(
            new Signer() {
              @Override
              public String keyId() {
                return key.keyId();
              }

              @Override
              public String signHex(byte[] message) {
                return sig;
              }
            }));
  }

  @Test
  void aKeyTypeThisClientLacksIsListedButNeverCounts() throws Exception {
    Json.Obj unknown =
        Json.obj(
            "keytype", Json.str("sphincs"),
            "scheme", Json.str("sphincs-shake-128s"),
            "keyval", Json.obj("public", Json.str("00ff")));
    String unknownId = HandMade.keyId(unknown);
    Json.Obj root = with(repo.currentRoot().signed().toJson(), "version", Json.num(2));
    Json.Obj roles = (Json.Obj) root.get("roles");
    String edId = repo.signingKeys(Role.TIMESTAMP).get(0).keyId();
    root =
        with(
            with(root, "keys", with((Json.Obj) root.get("keys"), unknownId, unknown)),
            "roles",
            with(
                roles,
                "timestamp",
                Json.obj(
                    "keyids",
                    HandMade.strings(List.of(edId, unknownId)),
                    "threshold",
                    Json.num(1))));
    TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
    set.updateRoot(HandMade.envelope(root, List.of(Signer.of(repo.signingKeys(Role.ROOT).get(0)))));
    Json.Obj body = repo.signedTimestamp().signed().toJson();
    Signer byUnknown =
        new Signer() {
          @Override
          public String keyId() {
            return unknownId;
          }

          @Override
          public String signHex(byte[] message) {
            return "00ff00ff";
          }
        };
    assertRefused(
        Attack.BAD_SIGNATURE,
        () -> set.updateTimestamp(HandMade.envelope(body, List.of(byUnknown))));
    assertEquals(1, set.updateTimestamp(repo.timestamp()).version());
  }

  @Test
  void aPemKeyOfTheWrongKindIsMalformed() throws Exception {
    Json.Obj p384AsP256 = with(P384.keyObject(), "scheme", Json.str("ecdsa-sha2-nistp256"));
    Json.Obj ecAsRsa =
        with(
            with(P256.keyObject(), "keytype", Json.str("rsa")),
            "scheme",
            Json.str("rsassa-pss-sha256"));
    Json.Obj notPem =
        with(
            P256.keyObject(),
            "keyval",
            Json.obj(
                "public", Json.str("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----")));
    for (Json.Obj bad : List.of(p384AsP256, ecAsRsa, notPem)) {
      assertRefused(
          Attack.MALFORMED,
          () ->
              new TrustedMetadataSet(repo.root(1), T0)
                  .updateRoot(rootV2(Map.of(Role.TIMESTAMP, bad))));
    }
  }
}
