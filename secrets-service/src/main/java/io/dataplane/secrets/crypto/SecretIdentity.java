package io.dataplane.secrets.crypto;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Objects;

/**
 * What a sealed value belongs to. It is bound into the associated data of both the value and its
 * wrapped data key, so bytes copied onto another secret, environment or version do not open.
 */
public record SecretIdentity(String environment, String name, int version) {

  public SecretIdentity {
    Objects.requireNonNull(environment, "environment");
    Objects.requireNonNull(name, "name");
    if (version < 1) {
      throw new IllegalArgumentException("version must be >= 1");
    }
  }

  /** Associated data for the value itself. */
  byte[] valueAad() {
    return encode("dataplane/secret-value/1", "");
  }

  /** Associated data for the data key wrapped by {@code masterKeyVersion}. */
  byte[] dataKeyAad(String masterKeyVersion) {
    return encode("dataplane/data-key/1", masterKeyVersion);
  }

  // length-prefixed fields: no two different identities encode to the same bytes
  private byte[] encode(String purpose, String extra) {
    try (ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeUTF(purpose);
      out.writeUTF(environment);
      out.writeUTF(name);
      out.writeInt(version);
      out.writeUTF(extra);
      out.flush();
      return bytes.toByteArray();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
