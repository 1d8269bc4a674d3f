package io.fleetsim.ecu;

final class BlobSha {
  private BlobSha() {}

  static String of(byte[] b) {
    return io.fleetsim.cluster.BlobStore.sha256Hex(b);
  }
}
