package io.dataplane.scheduler.trigger;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * Webhook verification, plain Java: a per-hook token compared by its SHA-256 (the token itself is
 * never stored), and the GitHub-style {@code X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the
 * raw body>} checked by the secrets service, which holds the key. Every comparison is
 * constant-time.
 */
public final class HookSignature {

  private HookSignature() {}

  /** SHA-256 hex of a token, as stored. */
  public static String tokenHash(String token) {
    return HexFormat.of().formatHex(sha256(token.getBytes(StandardCharsets.UTF_8)));
  }

  /** Whether {@code token} is the one whose hash is {@code storedHash} (constant-time). */
  public static boolean tokenMatches(String token, String storedHash) {
    if (token == null || storedHash == null) {
      return false;
    }
    byte[] expected;
    try {
      expected = HexFormat.of().parseHex(storedHash);
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(sha256(token.getBytes(StandardCharsets.UTF_8)), expected);
  }

  /**
   * The HMAC-SHA256 in a {@code sha256=<hex>} header, or null when the header is absent or not of
   * that form.
   */
  public static byte[] parseSignatureHeader(String header) {
    if (header == null) {
      return null;
    }
    String h = header.strip();
    if (!h.toLowerCase(Locale.ROOT).startsWith("sha256=") || h.length() != 7 + 64) {
      return null;
    }
    try {
      return HexFormat.of().parseHex(h.substring(7).toLowerCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] sha256(byte[] in) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(in);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
