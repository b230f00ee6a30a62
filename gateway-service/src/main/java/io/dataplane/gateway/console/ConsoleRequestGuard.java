package io.dataplane.gateway.console;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;

/**
 * Cross-site request forgery protection for the console's cookie session. A browser sends the
 * session cookie with any request to the gateway, so a call that rides on it must prove it comes
 * from the console's own pages: a changing request needs the {@code X-Requested-With} header (a
 * cross-site form cannot set it, and a cross-origin script cannot without a CORS pre-flight, which
 * the gateway never grants), and a WebSocket upgrade needs an {@code Origin} of this site. Calls
 * with a bearer token or an API key are not cookie calls and are left alone.
 */
@ApplicationScoped
public class ConsoleRequestGuard {

  /**
   * The header the console sends on every call (Quarkus OIDC also answers it with 499, not a
   * redirect).
   */
  public static final String HEADER = "X-Requested-With";

  /** The paths of the console's pages: a fresh load of one of them gets the console. */
  static final String CONSOLE_PAGES = "/(e|account|admin)(/.*)?";

  void install(@Observes Router router) {
    // before authentication: a forged request is refused before anything reads the session
    router.route().order(-200).handler(this::check);
    // the console's own pages (/e/..., /account/..., /admin/...): a shared link loads the console,
    // which routes it itself (quarkus-rest, at /, would answer 404 before Quinoa's SPA routing)
    router.getWithRegex(CONSOLE_PAGES).order(-150).handler(ctx -> ctx.reroute("/"));
  }

  void check(RoutingContext ctx) {
    String path = ctx.normalizedPath();
    boolean api =
        path.equals("/graphql") || path.startsWith("/graphql/") || path.startsWith("/api/");
    if (!api || !ConsoleTenantResolver.consoleSession(ctx)) {
      ctx.next();
      return;
    }
    HttpMethod m = ctx.request().method();
    boolean upgrade = "websocket".equalsIgnoreCase(ctx.request().getHeader("Upgrade"));
    if (upgrade && !sameOrigin(ctx)) {
      refuse(ctx, "a WebSocket on the console's session must come from the console's own origin");
      return;
    }
    boolean changing = !(m == HttpMethod.GET || m == HttpMethod.HEAD || m == HttpMethod.OPTIONS);
    if (changing && (ctx.request().getHeader(HEADER) == null || !sameOriginOrAbsent(ctx))) {
      refuse(ctx, "a call on the console's session must come from the console (X-Requested-With)");
      return;
    }
    ctx.next();
  }

  private static boolean sameOriginOrAbsent(RoutingContext ctx) {
    return ctx.request().getHeader("Origin") == null || sameOrigin(ctx);
  }

  private static boolean sameOrigin(RoutingContext ctx) {
    String origin = ctx.request().getHeader("Origin");
    String host = ctx.request().getHeader("Host");
    if (origin == null || host == null) {
      return false;
    }
    try {
      URI o = URI.create(origin);
      String authority = o.getPort() == -1 ? o.getHost() : o.getHost() + ":" + o.getPort();
      return host.equalsIgnoreCase(authority);
    } catch (IllegalArgumentException e) {
      return false;
    }
  }

  private static void refuse(RoutingContext ctx, String message) {
    ctx.response()
        .setStatusCode(403)
        .putHeader("Content-Type", "application/json")
        .end("{\"code\":\"FORBIDDEN\",\"message\":\"" + message + "\"}");
  }
}
