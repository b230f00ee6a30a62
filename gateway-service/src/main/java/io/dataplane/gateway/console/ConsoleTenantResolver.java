package io.dataplane.gateway.console;

import io.quarkus.oidc.TenantResolver;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Picks the OIDC tenant of a request. Scripts keep the default tenant (bearer tokens only, a
 * missing credential is a plain 401); the console's tenant {@code console} is an authorization-code
 * client, chosen for the sign-in and sign-out paths and for any request that carries the console's
 * session cookie and no credential of its own. One {@code hybrid} tenant would do both, but would
 * answer a script's missing token with a redirect to the sign-in page (docs/console.md).
 */
@ApplicationScoped
public class ConsoleTenantResolver implements TenantResolver {

  /** The console's tenant. */
  public static final String TENANT = "console";

  /** The session cookie Quarkus OIDC sets for that tenant. */
  public static final String SESSION_COOKIE = "q_session_" + TENANT;

  @Override
  public String resolve(RoutingContext context) {
    return consoleSession(context) ? TENANT : null;
  }

  /** Whether the request is the console's: sign-in or sign-out, or a call with its session. */
  public static boolean consoleSession(RoutingContext context) {
    String path = context.normalizedPath();
    if (path.startsWith("/auth/")) {
      return true;
    }
    if (context.request().getHeader("Authorization") != null
        || context.request().getHeader("X-Api-Key") != null) {
      return false;
    }
    return hasSessionCookie(context);
  }

  static boolean hasSessionCookie(RoutingContext context) {
    // a large session is split into q_session_console_chunk_1, _2, ...
    return context.request().cookies().stream()
        .anyMatch(c -> c.getName().startsWith(SESSION_COOKIE));
  }
}
