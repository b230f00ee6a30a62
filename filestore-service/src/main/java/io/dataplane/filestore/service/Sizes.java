package io.dataplane.filestore.service;

/** Byte counts for people. */
final class Sizes {
  private Sizes() {}

  static String human(long bytes) {
    if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0) {
      return bytes / (1024 * 1024) + " MiB";
    }
    if (bytes >= 1024 * 1024) {
      return String.format("%.1f MiB", bytes / (1024.0 * 1024));
    }
    if (bytes >= 1024 && bytes % 1024 == 0) {
      return bytes / 1024 + " KiB";
    }
    return bytes + " bytes";
  }
}
