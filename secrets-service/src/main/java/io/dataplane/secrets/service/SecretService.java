package io.dataplane.secrets.service;

import io.agroal.api.AgroalDataSource;
import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.events.SecretChanged;
import io.dataplane.secrets.Secret;
import io.dataplane.secrets.SecretGrants;
import io.dataplane.secrets.SecretRead;
import io.dataplane.secrets.client.EnvironmentClient;
import io.dataplane.secrets.config.SecretsConfig;
import io.dataplane.secrets.crypto.KeyRing;
import io.dataplane.secrets.crypto.Sealed;
import io.dataplane.secrets.crypto.SecretIdentity;
import io.dataplane.secrets.messaging.SecretEventsOutbox;
import io.dataplane.secrets.repository.Jdbc;
import io.dataplane.secrets.repository.SecretRepository;
import io.dataplane.secrets.repository.SecretRepository.SecretRow;
import io.quarkus.logging.Log;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** Secrets as the gateway manages them: set (a new version), delete, metadata, grants, audit. */
@ApplicationScoped
public class SecretService {

  private final AgroalDataSource dataSource;
  private final MasterKeyProvider keys;
  private final EnvironmentClient environments;
  private final SecretEventsOutbox events;
  private final SecretsConfig config;

  public SecretService(
      AgroalDataSource dataSource,
      MasterKeyProvider keys,
      EnvironmentClient environments,
      SecretEventsOutbox events,
      SecretsConfig config) {
    this.dataSource = dataSource;
    this.keys = keys;
    this.environments = environments;
    this.events = events;
    this.config = config;
  }

  /** Stores a new version of a secret's value and announces it. */
  public Secret set(String env, String name, String value, String actor) {
    SecretNames.checkEnvironment(env);
    SecretNames.checkName(name);
    byte[] plaintext = SecretNames.checkValue(value, config.maxValueBytes());
    try {
      environments.requireExists(env);
      KeyRing ring = keys.current();
      return Jdbc.inTransaction(
          dataSource,
          c -> {
            if (SecretRepository.isRetired(c, ring.active())) {
              throw DataplaneException.conflict(
                  "the active master key version '"
                      + ring.active()
                      + "' is retired; activate another version");
            }
            SecretRow row = SecretRepository.lockOrCreate(c, env, name, actor);
            int version = row.latestVersion() + 1;
            Sealed sealed = keys.cipher().seal(new SecretIdentity(env, name, version), plaintext);
            SecretRepository.addVersion(c, row, version, sealed, actor);
            SecretRepository.audit(
                c, List.of(SecretRead.change(SecretRead.SET, env, name, version, actor)));
            events.changed(c, env, List.of(new SecretChanged.Change(name, version, false)));
            Log.infof("secret %s/%s: version %d set by %s", env, name, version, actor);
            return metadata(c, env, name);
          });
    } finally {
      Arrays.fill(plaintext, (byte) 0);
    }
  }

  /** Deletes a secret: its sealed versions and grants are destroyed; its audit stays. */
  public void delete(String env, String name, String actor) {
    SecretNames.checkName(name);
    Jdbc.inTransaction(
        dataSource,
        c -> {
          SecretRow row =
              SecretRepository.lock(c, env, name, false).orElseThrow(() -> notFound(env, name));
          SecretRepository.delete(c, row, actor);
          SecretRepository.audit(
              c,
              List.of(SecretRead.change(SecretRead.DELETE, env, name, row.latestVersion(), actor)));
          events.changed(
              c, env, List.of(new SecretChanged.Change(name, row.latestVersion(), true)));
          Log.infof("secret %s/%s deleted by %s", env, name, actor);
          return null;
        });
  }

  public Secret get(String env, String name) {
    SecretNames.checkName(name);
    return Jdbc.inTransaction(dataSource, c -> metadata(c, env, name));
  }

  public List<Secret> list(String env) {
    return Jdbc.inTransaction(
        dataSource,
        c -> {
          List<SecretRow> rows = SecretRepository.list(c, env);
          Map<Long, SecretGrants> grants =
              SecretRepository.grants(c, rows.stream().map(SecretRow::id).toList());
          Map<String, Instant> reads =
              SecretRepository.lastReads(c, env, rows.stream().map(SecretRow::name).toList());
          return rows.stream()
              .map(r -> SecretRepository.toSecret(r, grants.get(r.id()), reads.get(r.name())))
              .toList();
        });
  }

  /** Replaces who may resolve a secret. */
  public Secret setGrants(String env, String name, SecretGrants requested, String actor) {
    SecretNames.checkName(name);
    SecretGrants grants = SecretNames.checkGrants(requested);
    return Jdbc.inTransaction(
        dataSource,
        c -> {
          SecretRow row =
              SecretRepository.lock(c, env, name, false).orElseThrow(() -> notFound(env, name));
          SecretRepository.replaceGrants(c, row.id(), grants);
          SecretRepository.touch(c, row, actor);
          SecretRepository.audit(
              c,
              List.of(SecretRead.change(SecretRead.GRANT, env, name, row.latestVersion(), actor)));
          Log.infof(
              "secret %s/%s: grants set by %s to pipelines %s, worker groups %s",
              env, name, actor, grants.pipelines(), grants.workerGroups());
          return metadata(c, env, name);
        });
  }

  /** Audit of one secret, newest first. */
  public List<SecretRead> audit(String env, String name, Long beforeId, int limit) {
    SecretNames.checkName(name);
    return Jdbc.inTransaction(
        dataSource, c -> SecretRepository.auditOf(c, env, name, null, beforeId, limit));
  }

  /** Audit of one run, newest first. */
  public List<SecretRead> auditOfRun(UUID runId, Long beforeId, int limit) {
    return Jdbc.inTransaction(
        dataSource, c -> SecretRepository.auditOf(c, null, null, runId, beforeId, limit));
  }

  private static Secret metadata(Connection c, String env, String name) throws SQLException {
    SecretRow row = SecretRepository.find(c, env, name).orElseThrow(() -> notFound(env, name));
    SecretGrants grants = SecretRepository.grants(c, List.of(row.id())).get(row.id());
    Instant lastRead = SecretRepository.lastReads(c, env, List.of(name)).get(name);
    return SecretRepository.toSecret(row, grants, lastRead);
  }

  private static DataplaneException notFound(String env, String name) {
    return DataplaneException.notFound("secret '" + name + "' in environment '" + env + "'");
  }
}
