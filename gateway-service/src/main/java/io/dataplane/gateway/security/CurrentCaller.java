package io.dataplane.gateway.security;

import io.dataplane.gateway.config.GatewayConfig;
import io.quarkus.arc.Arc;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.eclipse.microprofile.jwt.JsonWebToken;

/** Turns the request's security identity into a {@link Caller}. */
@ApplicationScoped
public class CurrentCaller {

  /** Identity attribute carrying the caller of an API key. */
  public static final String CALLER_ATTRIBUTE = "dataplane.caller";

  private final GatewayConfig config;

  public CurrentCaller(GatewayConfig config) {
    this.config = config;
  }

  /** The caller of the current request (anonymous outside a request). */
  public Caller get() {
    if (!Arc.container().requestContext().isActive()) {
      return Caller.ANONYMOUS;
    }
    CurrentIdentityAssociation assoc =
        Arc.container().instance(CurrentIdentityAssociation.class).get();
    SecurityIdentity identity = assoc == null ? null : assoc.getIdentity();
    return of(identity);
  }

  /** When the current request's token expires (empty for API keys and outside a request). */
  public java.util.Optional<java.time.Instant> credentialExpiry() {
    if (!Arc.container().requestContext().isActive()) {
      return java.util.Optional.empty();
    }
    CurrentIdentityAssociation assoc =
        Arc.container().instance(CurrentIdentityAssociation.class).get();
    SecurityIdentity identity = assoc == null ? null : assoc.getIdentity();
    if (identity != null && identity.getPrincipal() instanceof JsonWebToken jwt) {
      long exp = jwt.getExpirationTime();
      return exp > 0
          ? java.util.Optional.of(java.time.Instant.ofEpochSecond(exp))
          : java.util.Optional.empty();
    }
    return java.util.Optional.empty();
  }

  /** The caller a security identity stands for. */
  public Caller of(SecurityIdentity identity) {
    if (identity == null || identity.isAnonymous()) {
      return Caller.ANONYMOUS;
    }
    Caller fromKey = identity.getAttribute(CALLER_ATTRIBUTE);
    if (fromKey != null) {
      return fromKey;
    }
    String name = identity.getPrincipal().getName();
    String subject = null;
    Set<String> groups = new LinkedHashSet<>();
    if (identity.getPrincipal() instanceof JsonWebToken jwt) {
      Object claim = jwt.getClaim(config.groupsClaim());
      if (claim instanceof Collection<?> c) {
        c.forEach(g -> groups.add(stripQuotes(String.valueOf(g))));
      }
      String preferred = jwt.getClaim("preferred_username");
      if (preferred != null && !preferred.isBlank()) {
        name = preferred;
      }
      subject = jwt.getSubject();
    }
    if (subject == null || subject.isBlank()) {
      // a token without a subject names no one: it cannot be bound or made admin
      return Caller.ANONYMOUS;
    }
    boolean admin = hasAdminRole(identity) || configuredAdmin(subject);
    return new Caller(subject, name, groups, admin, null, List.of());
  }

  /** Whether the token carries the admin realm role. */
  public boolean hasAdminRole(SecurityIdentity identity) {
    return identity.hasRole(config.adminRole());
  }

  /** Whether the configuration names this subject a platform admin. */
  public boolean configuredAdmin(String subject) {
    return subject != null && config.admins().orElse(List.of()).contains(subject);
  }

  // JSON-P string values print with quotes
  private static String stripQuotes(String s) {
    return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"")
        ? s.substring(1, s.length() - 1)
        : s;
  }
}
