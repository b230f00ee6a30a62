package io.dataplane.secrets.crypto;

/** A data key is wrapped by a master key version that the key ring does not hold. */
public final class UnknownMasterKeyException extends Exception {

  private final String version;

  public UnknownMasterKeyException(String version) {
    super("master key version '" + version + "' is not configured");
    this.version = version;
  }

  public String version() {
    return version;
  }
}
