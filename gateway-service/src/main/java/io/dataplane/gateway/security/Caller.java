package io.dataplane.gateway.security;

import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * Who is calling: a signed-in user (OIDC) or an API key acting for its owner with a narrower scope.
 *
 * @param subject the token's {@code sub} (for a key: its owner's): what role bindings and the
 *     configured admins name
 * @param name the user name ({@code preferred_username}), for display and audit
 * @param groups OIDC groups (for a key: its owner's, as of their latest sign-in)
 * @param admin platform admin by token role or configuration (for a key: its owner's now; the role
 *     as of the owner's latest sign-in)
 * @param apiKeyId the key used, or null for a token
 * @param keyScope what the key may do (ignored for tokens)
 */
public record Caller(
    String subject,
    String name,
    Set<String> groups,
    boolean admin,
    UUID apiKeyId,
    List<KeyScope> keyScope) {

  public static final Caller ANONYMOUS = new Caller(null, null, Set.of(), false, null, List.of());

  public Caller {
    groups = groups == null ? Set.of() : Set.copyOf(groups);
    keyScope = keyScope == null ? List.of() : List.copyOf(keyScope);
  }

  public boolean authenticated() {
    return subject != null;
  }

  public boolean viaApiKey() {
    return apiKeyId != null;
  }

  /** The name written to audit records and sent to the services as the actor. */
  public String actor() {
    return name == null ? "anonymous" : name;
  }

  /** The key used to count this caller's requests for rate limiting. */
  public String rateKey() {
    return viaApiKey() ? "key:" + apiKeyId : "user:" + subject;
  }

  /** Whether the key scope (if any) allows {@code p} on this environment and pipeline. */
  public boolean keyAllows(Permission p, String environment, String pipeline) {
    if (!viaApiKey()) {
      return true;
    }
    return keyScope.stream().anyMatch(s -> s.allows(p, environment, pipeline));
  }

  /** Whether the key scope (if any) reaches into this environment at all. */
  public boolean keyCovers(String environment) {
    return !viaApiKey()
        || keyScope.stream()
            .anyMatch(s -> "*".equals(s.environment()) || s.environment().equals(environment));
  }

  /** Whether the key scope allows platform administration. */
  public boolean keyAllowsAdmin() {
    return !viaApiKey()
        || keyScope.stream()
            .anyMatch(
                s -> "*".equals(s.environment()) && s.permissions().contains(Permission.ADMIN));
  }
}
