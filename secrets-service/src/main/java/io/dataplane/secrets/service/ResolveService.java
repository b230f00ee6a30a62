package io.dataplane.secrets.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.agroal.api.AgroalDataSource;
import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.json.Json;
import io.dataplane.common.token.AttemptClaims;
import io.dataplane.common.token.AttemptTokens;
import io.dataplane.common.token.TokenRejectedException;
import io.dataplane.secrets.SecretRead;
import io.dataplane.secrets.client.AttemptClient;
import io.dataplane.secrets.crypto.DecryptionException;
import io.dataplane.secrets.crypto.SecretIdentity;
import io.dataplane.secrets.crypto.UnknownMasterKeyException;
import io.dataplane.secrets.repository.Jdbc;
import io.dataplane.secrets.repository.SecretRepository;
import io.dataplane.secrets.repository.SecretRepository.Readable;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Hands secret values to task attempts. A request is served only when the attempt token verifies
 * (signature, expiry, environment), its attempt is current at the orchestrator (claimed or running,
 * not finished, cancelled or superseded), every name asked for is declared in the token, exists in
 * the token's environment and is granted to the token's pipeline or worker group. Everything is
 * decided, decrypted and audited in one transaction: if the audit rows cannot be written, no value
 * leaves.
 */
@ApplicationScoped
public class ResolveService {

  /** What a task receives. */
  public record Resolved(Map<String, String> values, Map<String, Integer> versions) {
    @Override
    public String toString() {
      return "Resolved" + versions;
    }
  }

  private final AgroalDataSource dataSource;
  private final MasterKeyProvider keys;
  private final SecretsMetrics metrics;
  private final AttemptTokens tokens;
  private final AttemptClient attempts;

  public ResolveService(
      AgroalDataSource dataSource,
      MasterKeyProvider keys,
      SecretsMetrics metrics,
      AttemptClient attempts,
      @ConfigProperty(name = "dataplane.attempt-token.key") String tokenKey) {
    this.dataSource = dataSource;
    this.attempts = attempts;
    this.keys = keys;
    this.metrics = metrics;
    this.tokens = AttemptTokens.fromBase64("k1", tokenKey);
  }

  /**
   * @param environment the environment the caller expects the token to be for, or null to take the
   *     token's own (each secret is looked up in the token's environment only)
   * @param names the secrets wanted, or null for every secret the token declares
   * @param actor who calls (the worker)
   */
  public Resolved resolve(String token, String environment, List<String> names, String actor) {
    AttemptClaims claims;
    try {
      claims = tokens.verify(token, environment != null ? environment : peekEnvironment(token));
    } catch (TokenRejectedException e) {
      throw deny(e.reason().name(), e.getMessage());
    }
    List<String> wanted =
        List.copyOf(new LinkedHashSet<>(names == null ? claims.secrets() : names));
    // a token is good only while its attempt is claimed or running, not after it finished, was
    // cancelled or was superseded by a newer attempt (the token itself lives longer)
    if (!attempts.isCurrent(claims.taskRunId(), claims.attempt())) {
      auditDenials(claims, wanted, "NOT_CURRENT", actor);
      throw deny(
          "NOT_CURRENT",
          "attempt "
              + claims.attempt()
              + " of task run "
              + claims.taskRunId()
              + " is not claimed or running");
    }
    List<String> undeclared = wanted.stream().filter(n -> !claims.secrets().contains(n)).toList();
    if (!undeclared.isEmpty()) {
      auditDenials(claims, undeclared, "UNDECLARED", actor);
      throw deny("UNDECLARED", "the task does not declare " + undeclared);
    }
    if (wanted.isEmpty()) {
      return new Resolved(Map.of(), Map.of());
    }
    String env = claims.environment();
    try {
      Resolved resolved =
          Jdbc.inTransaction(
              dataSource,
              c -> {
                Map<String, Readable> found = SecretRepository.readable(c, env, wanted);
                List<String> missing = wanted.stream().filter(n -> !found.containsKey(n)).toList();
                if (!missing.isEmpty()) {
                  throw new Refusal(
                      "NOT_FOUND",
                      missing,
                      "no secret " + missing + " in environment '" + env + "'");
                }
                List<String> ungranted =
                    wanted.stream()
                        .filter(
                            n ->
                                !found
                                    .get(n)
                                    .grants()
                                    .allows(claims.pipeline(), claims.workerGroup()))
                        .toList();
                if (!ungranted.isEmpty()) {
                  throw new Refusal(
                      "NOT_GRANTED",
                      ungranted,
                      ungranted
                          + " not granted to pipeline '"
                          + claims.pipeline()
                          + "' or worker group '"
                          + claims.workerGroup()
                          + "'");
                }
                Map<String, String> values = new LinkedHashMap<>();
                Map<String, Integer> versions = new LinkedHashMap<>();
                List<SecretRead> reads = new ArrayList<>();
                for (String name : wanted) {
                  Readable r = found.get(name);
                  values.put(name, open(claims, env, name, r));
                  versions.put(name, r.version());
                  reads.add(record(claims, name, r.version(), SecretRead.GRANTED, null, actor));
                }
                // in the same transaction: no audit row, no value
                SecretRepository.audit(c, reads);
                return new Resolved(values, versions);
              });
      wanted.forEach(n -> metrics.read(env));
      return resolved;
    } catch (Refusal r) {
      auditDenials(claims, r.names, r.reason, actor);
      if (r.reason.equals("DECRYPTION_FAILED")) {
        metrics.denied(r.reason);
        throw new DataplaneException(r.reason, r.getMessage());
      }
      throw deny(r.reason, r.getMessage());
    } catch (Jdbc.DataAccessException e) {
      metrics.denied("AUDIT_FAILED");
      Log.errorf(
          "resolve for task run %s denied: the read could not be recorded (%s)",
          claims.taskRunId(), Jdbc.reason(e));
      throw new DataplaneException(
          ErrorCodes.UNAVAILABLE, "the read could not be audited, so it is denied; retry later");
    }
  }

  private String open(AttemptClaims claims, String env, String name, Readable r) {
    try {
      byte[] plain = keys.cipher().open(new SecretIdentity(env, name, r.version()), r.sealed());
      return new String(plain, StandardCharsets.UTF_8);
    } catch (DecryptionException | UnknownMasterKeyException e) {
      metrics.decryptionFailure();
      Log.errorf("resolve for task run %s: %s", claims.taskRunId(), e.getMessage());
      throw new Refusal(
          "DECRYPTION_FAILED",
          List.of(name),
          "secret '" + name + "' version " + r.version() + " cannot be decrypted");
    }
  }

  /** A decision against the request, taken inside the transaction (which it rolls back). */
  private static final class Refusal extends RuntimeException {
    final String reason;
    final List<String> names;

    Refusal(String reason, List<String> names, String message) {
      super(message, null, false, false);
      this.reason = reason;
      this.names = names;
    }
  }

  private DataplaneException deny(String reason, String message) {
    metrics.denied(reason);
    return new DataplaneException(ErrorCodes.FORBIDDEN, "denied (" + reason + "): " + message);
  }

  /** Best effort: a denial is recorded, but failing to record it changes nothing. */
  private void auditDenials(AttemptClaims claims, List<String> names, String reason, String actor) {
    List<SecretRead> rows = new ArrayList<>();
    for (String n : names) {
      rows.add(record(claims, n, null, SecretRead.DENIED, reason, actor));
    }
    try {
      Jdbc.inTransaction(
          dataSource,
          c -> {
            SecretRepository.audit(c, rows);
            return null;
          });
    } catch (RuntimeException e) {
      Log.warnf("denial of task run %s not audited: %s", claims.taskRunId(), e.getMessage());
    }
  }

  private static SecretRead record(
      AttemptClaims claims,
      String name,
      Integer version,
      String outcome,
      String reason,
      String actor) {
    return new SecretRead(
        0,
        SecretRead.READ,
        claims.environment(),
        name.length() > 200 ? name.substring(0, 200) : name,
        version,
        outcome,
        reason,
        actor,
        claims.pipeline(),
        claims.workerGroup(),
        claims.runId(),
        claims.taskRunId(),
        claims.attempt(),
        null);
  }

  /** The environment a token claims, read before verification only to verify against it. */
  static String peekEnvironment(String token) {
    try {
      String[] parts = token.split("\\.", -1);
      if (parts.length == 4) {
        JsonNode claims = Json.mapper().readTree(Base64.getUrlDecoder().decode(parts[2]));
        JsonNode env = claims.get("environment");
        if (env != null && env.isTextual()) {
          return env.asText();
        }
      }
    } catch (Exception e) {
      // verification reports the malformed token
    }
    return "";
  }
}
