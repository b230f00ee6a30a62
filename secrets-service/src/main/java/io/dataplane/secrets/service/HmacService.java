package io.dataplane.secrets.service;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.secrets.SecretRead;
import io.dataplane.secrets.crypto.DecryptionException;
import io.dataplane.secrets.crypto.SecretIdentity;
import io.dataplane.secrets.crypto.UnknownMasterKeyException;
import io.dataplane.secrets.repository.Jdbc;
import io.dataplane.secrets.repository.SecretRepository;
import io.dataplane.secrets.repository.SecretRepository.Readable;
import jakarta.enterprise.context.ApplicationScoped;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a webhook's HMAC-SHA256 signature under the key held in an environment secret, for
 * scheduler-service's webhook triggers: the key is opened, used and zeroed here and never leaves
 * this service; the comparison is constant-time; each check is audited as a read (reason {@code
 * hmac-check}) in the same transaction.
 */
@ApplicationScoped
public class HmacService {

  private final AgroalDataSource dataSource;
  private final MasterKeyProvider keys;

  public HmacService(AgroalDataSource dataSource, MasterKeyProvider keys) {
    this.dataSource = dataSource;
    this.keys = keys;
  }

  /**
   * Whether {@code signature} = HMAC-SHA256(value of env/name, payload); NOT_FOUND if no secret.
   */
  public boolean verify(String env, String name, byte[] payload, byte[] signature, String actor) {
    SecretNames.checkEnvironment(env);
    SecretNames.checkName(name);
    return Jdbc.inTransaction(
        dataSource,
        c -> {
          Map<String, Readable> found = SecretRepository.readable(c, env, List.of(name));
          Readable r = found.get(name);
          if (r == null) {
            throw DataplaneException.notFound("secret " + name + " in environment " + env);
          }
          byte[] key;
          try {
            key = keys.cipher().open(new SecretIdentity(env, name, r.version()), r.sealed());
          } catch (DecryptionException | UnknownMasterKeyException e) {
            throw new DataplaneException(
                ErrorCodes.INTERNAL, "secret " + name + " cannot be decrypted");
          }
          boolean valid;
          try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key, "HmacSHA256"));
            valid = MessageDigest.isEqual(mac.doFinal(payload), signature);
          } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
          } finally {
            Arrays.fill(key, (byte) 0);
          }
          SecretRepository.audit(
              c,
              List.of(
                  new SecretRead(
                      0,
                      SecretRead.READ,
                      env,
                      name,
                      r.version(),
                      SecretRead.GRANTED,
                      "hmac-check " + (valid ? "valid" : "invalid"),
                      actor,
                      null,
                      null,
                      null,
                      null,
                      null,
                      null)));
          return valid;
        });
  }
}
