package io.dataplane.secrets.crypto;

/**
 * A value sealed under envelope encryption, as stored.
 *
 * @param ciphertext {@code nonce(12) || AES-256-GCM(data key, value) || tag(16)}
 * @param wrappedKey {@code nonce(12) || AES-256-GCM(master key, data key) || tag(16)}
 * @param masterKeyVersion the master key version that wrapped the data key
 */
public record Sealed(byte[] ciphertext, byte[] wrappedKey, String masterKeyVersion) {

  @Override
  public String toString() {
    return "Sealed[masterKeyVersion=" + masterKeyVersion + "]";
  }
}
