package io.dataplane.common.rest;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

/**
 * The service credentials a service accepts: for each calling service (a <em>caller</em>) one or
 * more tokens, and for each caller a fixed set of scopes. Plain Java, no Quarkus.
 *
 * <p>Tokens of a caller come from {@code DATAPLANE_SERVICE_TOKENS_<CALLER>} (an environment
 * variable, e.g. from a mounted Kubernetes Secret) or {@code
 * dataplane.service-auth.tokens.<caller>}: a comma-separated list. The caller itself sends the
 * first entry; a service accepts every entry, which is how a token is rotated without downtime (see
 * docs/security.md).
 *
 * <p>Scopes are fixed per caller here, not configurable: a worker may claim attempts, resolve its
 * attempt's secrets and fetch bundles, nothing else; only the gateway (and an operator's
 * credential) may call every endpoint and name the person a call is made for.
 */
public final class ServiceCredentials {

  /** Every endpoint, and the right to name an actor ({@link ServiceAuth#ACTOR_HEADER}). */
  public static final String ALL = "*";

  /** Claim an attempt at the orchestrator. */
  public static final String ATTEMPTS_CLAIM = "attempts:claim";

  /** Ask the orchestrator whether an attempt is current. */
  public static final String ATTEMPTS_READ = "attempts:read";

  /** Resolve the secrets an attempt declared, with its attempt token. */
  public static final String SECRETS_RESOLVE = "secrets:resolve";

  /** List the names (never values) of an environment's secrets. */
  public static final String SECRETS_NAMES = "secrets:names";

  /** Download a bundle by digest. */
  public static final String BUNDLES_READ = "bundles:read";

  /** Ask the orchestrator whether an environment exists. */
  public static final String ENVIRONMENTS_READ = "environments:read";

  /** Read a run (its request id, params and task outputs) at the orchestrator. */
  public static final String RUNS_READ = "runs:read";

  /**
   * Check an HMAC-SHA256 signature under a secret's key at the secrets service (the key never
   * leaves it).
   */
  public static final String SECRETS_HMAC = "secrets:hmac";

  /**
   * Use the secrets of notification channels (secrets named {@code NOTIFY_*} only): sign a
   * notification body with a key that never leaves the secrets service, read a Slack URL or an SMTP
   * password for one delivery.
   */
  public static final String SECRETS_NOTIFY = "secrets:notify";

  /** Tokens shorter than this are refused as configuration errors. */
  public static final int MIN_TOKEN_LENGTH = 16;

  /** The callers and their scopes. */
  public static final Map<String, Set<String>> SCOPES =
      Map.of(
          "gateway", Set.of(ALL),
          "operator", Set.of(ALL),
          "worker", Set.of(ATTEMPTS_CLAIM, SECRETS_RESOLVE, BUNDLES_READ),
          "orchestrator", Set.of(SECRETS_NAMES, ENVIRONMENTS_READ),
          "scheduler", Set.of(ENVIRONMENTS_READ, RUNS_READ, SECRETS_HMAC, SECRETS_NOTIFY),
          "secrets", Set.of(ENVIRONMENTS_READ, ATTEMPTS_READ),
          "filestore", Set.of(ENVIRONMENTS_READ));

  /** A recognised caller. */
  public record Caller(String name, Set<String> scopes) {
    /** Whether this caller holds {@code scope} (or every scope). */
    public boolean may(String scope) {
      return scopes.contains(ALL) || scopes.contains(scope);
    }

    /** Whether this caller may name the person a call is made for. */
    public boolean mayNameActor() {
      return scopes.contains(ALL);
    }
  }

  /** The configuration is unusable (a token too short, one token for two callers, …). */
  public static final class InvalidException extends RuntimeException {
    public InvalidException(String message) {
      super(message);
    }
  }

  private record Entry(byte[] token, Caller caller) {}

  private final List<Entry> entries;
  private final Map<String, List<String>> byCaller;

  private ServiceCredentials(List<Entry> entries, Map<String, List<String>> byCaller) {
    this.entries = entries;
    this.byCaller = byCaller;
  }

  /**
   * Reads the tokens of every known caller through {@code lookup} (a configuration lookup by
   * property name).
   *
   * @throws InvalidException when a token is shorter than {@value #MIN_TOKEN_LENGTH} characters or
   *     one token is given to two callers
   */
  public static ServiceCredentials load(Function<String, Optional<String>> lookup) {
    Map<String, List<String>> byCaller = new LinkedHashMap<>();
    for (String caller : SCOPES.keySet().stream().sorted().toList()) {
      List<String> tokens = new ArrayList<>();
      for (String key :
          List.of(
              "DATAPLANE_SERVICE_TOKENS_" + caller.toUpperCase(Locale.ROOT),
              "dataplane.service-auth.tokens." + caller)) {
        lookup.apply(key).ifPresent(v -> tokens.addAll(split(v)));
      }
      if (!tokens.isEmpty()) {
        byCaller.put(caller, List.copyOf(tokens.stream().distinct().toList()));
      }
    }
    List<Entry> entries = new ArrayList<>();
    Map<String, String> owner = new LinkedHashMap<>();
    for (Map.Entry<String, List<String>> e : byCaller.entrySet()) {
      Caller caller = new Caller(e.getKey(), SCOPES.get(e.getKey()));
      for (String t : e.getValue()) {
        if (t.length() < MIN_TOKEN_LENGTH) {
          throw new InvalidException(
              "a service token of caller '"
                  + e.getKey()
                  + "' is shorter than "
                  + MIN_TOKEN_LENGTH
                  + " characters");
        }
        String other = owner.putIfAbsent(t, e.getKey());
        if (other != null && !other.equals(e.getKey())) {
          throw new InvalidException(
              "one service token is given to two callers ('" + other + "', '" + e.getKey() + "')");
        }
        entries.add(new Entry(t.getBytes(StandardCharsets.UTF_8), caller));
      }
    }
    return new ServiceCredentials(List.copyOf(entries), Map.copyOf(byCaller));
  }

  static List<String> split(String value) {
    List<String> out = new ArrayList<>();
    for (String part : value.split("[,\\s]+")) {
      if (!part.isBlank()) {
        out.add(part.strip());
      }
    }
    return out;
  }

  /** Whether no caller has a token (every call is refused). */
  public boolean isEmpty() {
    return entries.isEmpty();
  }

  /** The callers that have tokens. */
  public Set<String> callers() {
    return byCaller.keySet();
  }

  /** The token {@code caller} sends: the first of its list. */
  public Optional<String> tokenOf(String caller) {
    List<String> tokens = byCaller.get(caller);
    return tokens == null || tokens.isEmpty() ? Optional.empty() : Optional.of(tokens.get(0));
  }

  /**
   * The caller a presented {@code Authorization} header belongs to. Every configured token is
   * compared in constant time, so the answer's timing does not tell which one was close.
   */
  public Optional<Caller> authenticate(String authorizationHeader) {
    if (authorizationHeader == null
        || !authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return Optional.empty();
    }
    byte[] presented = authorizationHeader.substring(7).strip().getBytes(StandardCharsets.UTF_8);
    if (presented.length < MIN_TOKEN_LENGTH) {
      return Optional.empty();
    }
    Caller found = null;
    for (Entry e : entries) {
      if (MessageDigest.isEqual(presented, e.token()) && found == null) {
        found = e.caller();
      }
    }
    return Optional.ofNullable(found);
  }
}
