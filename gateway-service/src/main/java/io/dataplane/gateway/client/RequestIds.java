package io.dataplane.gateway.client;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

/**
 * Run request ids the gateway sends to the orchestrator (at most 200 characters there). A caller's
 * own id is scoped to the caller, so that two callers choosing the same id never share a run.
 */
public final class RequestIds {

  private RequestIds() {}

  /** A fresh id: makes retrying one call safe. */
  public static String fresh(String prefix) {
    return prefix + ":" + UUID.randomUUID();
  }

  /** The same id for the same caller and key, whatever their length. */
  public static String scoped(String prefix, String principal, String key) {
    try {
      byte[] digest =
          MessageDigest.getInstance("SHA-256")
              .digest((principal + "\n" + key).getBytes(StandardCharsets.UTF_8));
      return prefix + ":" + HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
