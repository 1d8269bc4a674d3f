package io.fleetsim.uptane;

import static io.fleetsim.uptane.Fixtures.T0;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.fleetsim.uptane.client.TrustedMetadataSet;
import io.fleetsim.uptane.json.CanonicalJson;
import io.fleetsim.uptane.json.Json;
import io.fleetsim.uptane.json.JsonParser;
import io.fleetsim.uptane.metadata.TargetFile;
import io.fleetsim.uptane.repository.Expiries;
import io.fleetsim.uptane.repository.Repository;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Thousands of seeded random mutations of valid metadata: each must be refused with a
 * VerificationException, except mutations that leave the canonical signed part as it was
 * (whitespace), which may be accepted.
 */
class MutationTest {
  private static final int MUTATIONS = 6_000;
  private static final String PUNCT = "{}[]\",:0123456789-e.\\ntf";

  private enum Target {
    ROOT_SELF,
    ROOT_UPDATE,
    TIMESTAMP,
    SNAPSHOT,
    TARGETS,
    /** Root v2 naming ECDSA P-256 (timestamp), P-384 (snapshot) and RSA-PSS (targets) keys. */
    ROOT_PEM_KEYS,
    /** A timestamp signed by that ECDSA key. */
    TIMESTAMP_ECDSA,
    /** Targets signed by that RSA key. */
    TARGETS_RSA,
    /** A supplier's delegated targets. */
    DELEGATED
  }

  private static final PemSigners.PemSigner P256 = PemSigners.ecdsaP256(11);
  private static final PemSigners.PemSigner P384 = PemSigners.ecdsaP384(12);
  private static final PemSigners.PemSigner RSA = PemSigners.rsaPss(13);

  private final Repository repo;
  private final Repository delegating;
  private final Map<Target, byte[]> originals = new EnumMap<>(Target.class);

  MutationTest() {
    repo = Repository.create("m", new Random(21), T0, Expiries.defaults(), 2, 1);
    repo.addTarget(
        TargetFile.of(
            "a/b.bin",
            new byte[] {1, 2, 3},
            Json.obj(
                "hardware_id",
                Json.str("hw"),
                "list",
                Json.arr(List.of(Json.num(1), Json.bool(true), Json.NULL)))));
    repo.addTarget(TargetFile.of("c.bin", new byte[] {4}, null));
    repo.publish(T0);
    repo.renewRoot(T0);
    originals.put(Target.ROOT_SELF, repo.root(1));
    originals.put(Target.ROOT_UPDATE, repo.root(2));
    originals.put(Target.TIMESTAMP, repo.timestamp());
    originals.put(Target.SNAPSHOT, repo.snapshot());
    originals.put(Target.TARGETS, repo.targets());

    Json.Obj root = HandMade.with(repo.currentRoot().signed().toJson(), "version", Json.num(2));
    Json.Obj keys = (Json.Obj) root.get("keys");
    Json.Obj roles = (Json.Obj) root.get("roles");
    for (Object[] rk : new Object[][] {{"timestamp", P256}, {"snapshot", P384}, {"targets", RSA}}) {
      PemSigners.PemSigner k = (PemSigners.PemSigner) rk[1];
      keys = HandMade.with(keys, k.keyId(), k.keyObject());
      roles =
          HandMade.with(
              roles,
              (String) rk[0],
              Json.obj("keyids", HandMade.strings(List.of(k.keyId())), "threshold", Json.num(1)));
    }
    root = HandMade.with(HandMade.with(root, "keys", keys), "roles", roles);
    originals.put(
        Target.ROOT_PEM_KEYS,
        HandMade.envelope(
            root,
            repo.signingKeys(io.fleetsim.uptane.metadata.Role.ROOT).stream()
                .map(HandMade.Signer::of)
                .toList()));
    originals.put(
        Target.TIMESTAMP_ECDSA,
        HandMade.envelope(repo.signedTimestamp().signed().toJson(), List.of(P256)));
    originals.put(
        Target.TARGETS_RSA,
        HandMade.envelope(repo.signedTargets().signed().toJson(), List.of(RSA)));

    delegating = Repository.create("d", new Random(22), T0, Expiries.defaults());
    delegating.delegate(
        "supplier",
        List.of(
            io.fleetsim.uptane.crypto.SigningKey.generate(new Random(23)),
            io.fleetsim.uptane.crypto.SigningKey.generate(new Random(24))),
        2,
        List.of("a/*", "c.bin"),
        true);
    delegating.addTarget("supplier", TargetFile.of("a/b.bin", new byte[] {1, 2, 3}, null));
    delegating.addTarget(
        "supplier", TargetFile.of("c.bin", new byte[] {4}, Json.obj("k", Json.str("v"))));
    delegating.publish(T0);
    originals.put(Target.DELEGATED, delegating.signedDelegatedTargets("supplier").toBytes());
  }

  private void verify(Target t, byte[] data) throws VerificationException {
    switch (t) {
      case ROOT_SELF:
        new TrustedMetadataSet(data, T0);
        return;
      case ROOT_UPDATE:
        new TrustedMetadataSet(repo.root(1), T0).updateRoot(data);
        return;
      case ROOT_PEM_KEYS:
        new TrustedMetadataSet(repo.root(1), T0).updateRoot(data);
        return;
      case TIMESTAMP_ECDSA:
        {
          TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
          set.updateRoot(originals.get(Target.ROOT_PEM_KEYS));
          set.updateTimestamp(data);
          return;
        }
      case TARGETS_RSA:
        {
          // Verified by signature alone: the snapshot describes fleetsim's own targets bytes.
          io.fleetsim.uptane.metadata.Signed<io.fleetsim.uptane.metadata.TargetsMetadata> parsed =
              io.fleetsim.uptane.metadata.TargetsMetadata.parse(data);
          TrustedMetadataSet set = new TrustedMetadataSet(repo.root(1), T0);
          set.updateRoot(originals.get(Target.ROOT_PEM_KEYS))
              .signed()
              .verifyRole(io.fleetsim.uptane.metadata.Role.TARGETS, parsed);
          return;
        }
      case DELEGATED:
        {
          TrustedMetadataSet set = new TrustedMetadataSet(delegating.root(1), T0);
          set.updateTimestamp(delegating.timestamp());
          set.updateSnapshot(delegating.snapshot());
          set.updateTargets(delegating.targets());
          set.updateDelegatedTargets(data, "supplier", "targets");
          return;
        }
      default:
        TrustedMetadataSet set = new TrustedMetadataSet(repo.root(2), T0);
        if (t == Target.TIMESTAMP) {
          set.updateTimestamp(data);
          return;
        }
        set.updateTimestamp(repo.timestamp());
        if (t == Target.SNAPSHOT) {
          set.updateSnapshot(data);
          return;
        }
        set.updateSnapshot(repo.snapshot());
        set.updateTargets(data);
    }
  }

  @Test
  void everyMutationIsRefusedOrLeavesTheSignedPartUnchanged() throws Exception {
    for (Target t : Target.values()) {
      verify(t, originals.get(t)); // the originals are valid
    }
    Random rng = new Random(20301);
    Map<String, Integer> refusedBy = new LinkedHashMap<>();
    int accepted = 0;
    for (int i = 0; i < MUTATIONS; i++) {
      Target t = Target.values()[rng.nextInt(Target.values().length)];
      byte[] original = originals.get(t);
      int kind = rng.nextInt(4);
      byte[] mutated;
      switch (kind) {
        case 0:
          mutated = mutateBytes(original, rng);
          break;
        case 1:
          mutated = mutateField(original, rng);
          break;
        case 2:
          mutated = mutateSignatures(original, rng);
          break;
        default:
          mutated = addWhitespace(original, rng);
          break;
      }
      String what = t + " mutation " + i + " kind " + kind;
      try {
        verify(t, mutated);
        accepted++;
        byte[] before = JsonParser.parseEnvelope(original, 1 << 24).signedCanonical();
        byte[] after = JsonParser.parseEnvelope(mutated, 1 << 24).signedCanonical();
        assertArrayEquals(before, after, what + " was accepted with a changed signed part");
      } catch (VerificationException e) {
        refusedBy.merge(e.attack().name(), 1, Integer::sum);
      } catch (RuntimeException | StackOverflowError e) {
        throw new AssertionError(what + " escaped as " + e, e);
      }
    }
    int refused = refusedBy.values().stream().mapToInt(Integer::intValue).sum();
    assertTrue(refused > MUTATIONS / 2, "most mutations must be refused: " + refusedBy);
    assertTrue(
        refusedBy.containsKey("MALFORMED") && refusedBy.containsKey("BAD_SIGNATURE"),
        "expected both parse and signature refusals: " + refusedBy);
    assertTrue(accepted > 0, "whitespace-only mutations should be accepted");
  }

  static byte[] mutateBytes(byte[] in, Random rng) {
    List<Byte> b = new ArrayList<>(in.length + 4);
    for (byte x : in) {
      b.add(x);
    }
    int ops = 1 + rng.nextInt(3);
    for (int k = 0; k < ops; k++) {
      int pos = rng.nextInt(b.size());
      switch (rng.nextInt(4)) {
        case 0:
          b.set(pos, (byte) (b.get(pos) ^ (1 << rng.nextInt(8))));
          break;
        case 1:
          b.add(pos, (byte) rng.nextInt(256));
          break;
        case 2:
          if (b.size() > 1) {
            b.remove(pos);
          }
          break;
        default:
          b.set(pos, (byte) PUNCT.charAt(rng.nextInt(PUNCT.length())));
          break;
      }
    }
    byte[] out = new byte[b.size()];
    for (int k = 0; k < out.length; k++) {
      out[k] = b.get(k);
    }
    return out;
  }

  private static byte[] mutateField(byte[] in, Random rng) throws Exception {
    Json.Obj env = (Json.Obj) JsonParser.parse(in, 1 << 24);
    Json signed = mutateJson(env.get("signed"), rng, 0);
    Map<String, Json> m = new LinkedHashMap<>(env.fields());
    m.put("signed", signed);
    return CanonicalJson.write(Json.obj(m));
  }

  /** Changes one randomly chosen place in the tree. */
  private static Json mutateJson(Json v, Random rng, int depth) {
    boolean here = rng.nextInt(4) == 0 || depth > 6;
    if (v instanceof Json.Obj o && !o.fields().isEmpty() && !here) {
      List<String> keys = new ArrayList<>(o.fields().keySet());
      String k = keys.get(rng.nextInt(keys.size()));
      Map<String, Json> m = new LinkedHashMap<>(o.fields());
      switch (rng.nextInt(5)) {
        case 0:
          m.remove(k);
          break;
        case 1:
          m.put(k + "x", o.get(k));
          break;
        default:
          m.put(k, mutateJson(o.get(k), rng, depth + 1));
          break;
      }
      return Json.obj(m);
    }
    if (v instanceof Json.Arr a && !a.items().isEmpty() && !here) {
      List<Json> items = new ArrayList<>(a.items());
      int idx = rng.nextInt(items.size());
      if (rng.nextBoolean()) {
        items.set(idx, mutateJson(items.get(idx), rng, depth + 1));
      } else {
        items.add(items.get(idx));
      }
      return Json.arr(items);
    }
    switch (rng.nextInt(6)) {
      case 0:
        return Json.NULL;
      case 1:
        return Json.num(rng.nextBoolean() ? -1 : Integer.MAX_VALUE + 1L);
      case 2:
        return Json.str(v instanceof Json.Str s ? s.value() + "0" : "x");
      case 3:
        return v instanceof Json.Int n ? Json.num(n.value() + 1) : Json.bool(true);
      case 4:
        return Json.arr(List.of(v));
      default:
        return Json.obj("k", v);
    }
  }

  private byte[] mutateSignatures(byte[] in, Random rng) throws Exception {
    Json.Obj env = (Json.Obj) JsonParser.parse(in, 1 << 24);
    List<Json> sigs = new ArrayList<>(((Json.Arr) env.get("signatures")).items());
    Json.Obj first = (Json.Obj) sigs.get(0);
    String keyid = ((Json.Str) first.get("keyid")).value();
    String sig = ((Json.Str) first.get("sig")).value();
    switch (rng.nextInt(6)) {
      case 0:
        {
          char[] c = sig.toCharArray();
          int p = rng.nextInt(c.length);
          c[p] = c[p] == '0' ? '1' : '0';
          sigs = List.of(Json.obj("keyid", Json.str(keyid), "sig", Json.str(new String(c))));
          break;
        }
      case 1:
        sigs =
            List.of(
                Json.obj(
                    "keyid",
                    Json.str(keyid.replace(keyid.charAt(0), keyid.charAt(0) == 'a' ? 'b' : 'a')),
                    "sig",
                    Json.str(sig)));
        break;
      case 2:
        sigs = List.of();
        break;
      case 3:
        sigs.add(first); // duplicate: refused, signature key ids must be unique
        break;
      case 4:
        {
          // A signature taken from a different file.
          Json.Obj other =
              (Json.Obj)
                  JsonParser.parse(
                      originals.get(Target.values()[rng.nextInt(Target.values().length)]), 1 << 24);
          Json.Obj os = (Json.Obj) ((Json.Arr) other.get("signatures")).items().get(0);
          sigs = List.of(Json.obj("keyid", Json.str(keyid), "sig", os.get("sig")));
          break;
        }
      default:
        sigs = List.of(Json.obj("keyid", Json.num(1), "sig", Json.arr(List.of())));
        break;
    }
    Map<String, Json> m = new LinkedHashMap<>(env.fields());
    m.put("signatures", Json.arr(sigs));
    return CanonicalJson.write(Json.obj(m));
  }

  private static byte[] addWhitespace(byte[] in, Random rng) {
    String s = new String(in, StandardCharsets.UTF_8);
    StringBuilder sb = new StringBuilder();
    boolean inString = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(c);
      if (c == '"' && (i == 0 || s.charAt(i - 1) != '\\')) {
        inString = !inString;
      }
      if (!inString && (c == ',' || c == ':' || c == '{' || c == '[') && rng.nextInt(3) == 0) {
        sb.append(" \n\t".charAt(rng.nextInt(3)));
      }
    }
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }
}
