package io.dataplane.filestore.service;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** The digest format used everywhere: {@code sha256:<64 lowercase hex>}. */
public final class Digests {

  public static final String PREFIX = "sha256:";
  private static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  private Digests() {}

  public static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String hex(MessageDigest md) {
    return HexFormat.of().formatHex(md.digest());
  }

  public static String of(String hex) {
    return PREFIX + hex;
  }

  public static boolean valid(String digest) {
    return digest != null && DIGEST.matcher(digest).matches();
  }

  /** The hex part of a valid digest. */
  public static String hexOf(String digest) {
    return digest.substring(PREFIX.length());
  }
}
