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
import java.nio.charset.StandardCharsets;
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
 * hmac-check}) in the same transaction. Notification channels of scheduler-service sign their
 * bodies here and read their Slack URL or SMTP password, from secrets named {@code NOTIFY_*} only.
 */
@ApplicationScoped
public class HmacService {

  private final AgroalDataSource dataSource;
  private final MasterKeyProvider keys;

  public HmacService(AgroalDataSource dataSource, MasterKeyProvider keys) {
    this.dataSource = dataSource;
    this.keys = keys;
  }

  /** Prefix of the secrets that notification channels may use (sign, read). */
  public static final String NOTIFY_PREFIX = "NOTIFY_";

  /**
   * Whether {@code signature} = HMAC-SHA256(value of env/name, payload); NOT_FOUND if no secret.
   */
  public boolean verify(String env, String name, byte[] payload, byte[] signature, String actor) {
    return withValue(
        env,
        name,
        actor,
        key -> {
          boolean valid = MessageDigest.isEqual(mac(key, payload), signature);
          return new Used<>(valid, "hmac-check " + (valid ? "valid" : "invalid"));
        });
  }

  /**
   * HMAC-SHA256(value of env/name, payload) of a notification channel's body: only secrets named
   * {@code NOTIFY_*} sign, so that a trigger's webhook key can never be used to forge a webhook.
   */
  public byte[] sign(String env, String name, byte[] payload, String actor) {
    requireNotify(name);
    return withValue(env, name, actor, key -> new Used<>(mac(key, payload), "notification-sign"));
  }

  /** The value of a notification channel's secret (a Slack URL, an SMTP password). */
  public String notificationValue(String env, String name, String actor) {
    requireNotify(name);
    return withValue(
        env,
        name,
        actor,
        v -> new Used<>(new String(v, StandardCharsets.UTF_8), "notification-channel"));
  }

  private static void requireNotify(String name) {
    if (name == null || !name.startsWith(NOTIFY_PREFIX)) {
      throw DataplaneException.invalid(
          "name", "notification channels may use only secrets named " + NOTIFY_PREFIX + "*");
    }
  }

  private static byte[] mac(byte[] key, byte[] payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(payload);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private record Used<T>(T result, String reason) {}

  /** Opens the secret, applies {@code use}, zeroes the value, audits the read; one transaction. */
  private <T> T withValue(
      String env, String name, String actor, java.util.function.Function<byte[], Used<T>> use) {
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
          Used<T> used;
          try {
            used = use.apply(key);
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
                      used.reason(),
                      actor,
                      null,
                      null,
                      null,
                      null,
                      null,
                      null)));
          return used.result();
        });
  }
}
