package io.dataplane.secrets.crypto;

import java.util.Arrays;
import java.util.Base64;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;
import javax.crypto.SecretKey;
import javax.crypto.spec.SecretKeySpec;

/**
 * The master keys this process holds: several versions, exactly one active (new data keys are
 * wrapped by it; the others only unwrap). Immutable; a reload builds a new ring.
 */
public final class KeyRing {

  /** Master key version names: lowercase, usable as a file name and an environment suffix. */
  public static final Pattern VERSION = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");

  /** AES-256. */
  public static final int KEY_BYTES = 32;

  private final Map<String, SecretKey> keys;
  private final String active;

  private KeyRing(Map<String, SecretKey> keys, String active) {
    this.keys = Collections.unmodifiableMap(keys);
    this.active = active;
  }

  /**
   * @param keys version → 32 raw key bytes
   * @param active the version that wraps new data keys
   * @throws IllegalArgumentException naming the problem (never the key material)
   */
  public static KeyRing of(Map<String, byte[]> keys, String active) {
    if (keys.isEmpty()) {
      throw new IllegalArgumentException("no master key is configured");
    }
    Map<String, SecretKey> copy = new TreeMap<>();
    keys.forEach(
        (version, material) -> {
          checkVersion(version);
          if (material == null || material.length != KEY_BYTES) {
            throw new IllegalArgumentException(
                "master key '"
                    + version
                    + "' must be "
                    + KEY_BYTES
                    + " bytes (base64 of 32 random bytes)");
          }
          if (isWeak(material)) {
            throw new IllegalArgumentException("master key '" + version + "' is not random");
          }
          copy.put(version, new SecretKeySpec(material.clone(), "AES"));
        });
    if (active == null || active.isBlank()) {
      throw new IllegalArgumentException("no active master key version is configured");
    }
    if (!copy.containsKey(active)) {
      throw new IllegalArgumentException(
          "the active master key version '" + active + "' is not among the configured ones");
    }
    return new KeyRing(copy, active);
  }

  /** Parses {@code version → base64} pairs, as configuration holds them. */
  public static Map<String, byte[]> decode(Map<String, String> base64ByVersion) {
    Map<String, byte[]> out = new TreeMap<>();
    base64ByVersion.forEach(
        (version, b64) -> {
          checkVersion(version);
          try {
            out.put(version, Base64.getDecoder().decode(b64.strip()));
          } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("master key '" + version + "' is not valid base64");
          }
        });
    return out;
  }

  public static void checkVersion(String version) {
    if (version == null || !VERSION.matcher(version).matches() || version.equals("active")) {
      throw new IllegalArgumentException(
          "invalid master key version '" + version + "': use [a-z0-9][a-z0-9_-]{0,31}");
    }
  }

  private static boolean isWeak(byte[] material) {
    byte[] zero = new byte[material.length];
    return Arrays.equals(material, zero);
  }

  public String active() {
    return active;
  }

  public Set<String> versions() {
    return keys.keySet();
  }

  public boolean holds(String version) {
    return keys.containsKey(version);
  }

  /** The key of a version, if held. */
  Optional<SecretKey> key(String version) {
    return Optional.ofNullable(keys.get(version));
  }

  /** True when both rings hold the same versions with the same material and the same active one. */
  public boolean sameAs(KeyRing other) {
    if (other == null
        || !active.equals(other.active)
        || !keys.keySet().equals(other.keys.keySet())) {
      return false;
    }
    return keys.entrySet().stream()
        .allMatch(
            e -> Arrays.equals(e.getValue().getEncoded(), other.keys.get(e.getKey()).getEncoded()));
  }

  @Override
  public String toString() {
    return "KeyRing[active=" + active + ", versions=" + keys.keySet() + "]";
  }
}
