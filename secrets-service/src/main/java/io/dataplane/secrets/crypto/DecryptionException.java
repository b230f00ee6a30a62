package io.dataplane.secrets.crypto;

/**
 * A sealed value or a wrapped data key did not open: wrong key, tampered bytes, or bytes that
 * belong to another secret. The message never carries key material or plaintext.
 */
public final class DecryptionException extends Exception {

  public DecryptionException(String message) {
    super(message);
  }

  public DecryptionException(String message, Throwable cause) {
    super(message, cause);
  }
}
