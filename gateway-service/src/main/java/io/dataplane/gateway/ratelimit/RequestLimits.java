package io.dataplane.gateway.ratelimit;

import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.error.ErrorResponse;
import io.dataplane.common.json.Json;
import io.dataplane.gateway.config.GatewayConfig;
import io.dataplane.gateway.security.CurrentCaller;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Limits on {@code /graphql} and {@code /api/}: the GraphQL body size and, after sign-in, the
 * request rate per principal (429 with {@code Retry-After}). Runs after authentication and
 * authorization (filter priority below theirs), so the principal is known.
 *
 * <p>The GraphQL body limit holds however the body comes: a declared {@code Content-Length} over it
 * is refused before anything is read, and a body without one (chunked) is counted as it streams by
 * a body handler of its own on {@code POST /graphql}, which stops reading and answers 413 at the
 * limit (the general {@code quarkus.http.limits.max-body-size} is for file uploads).
 */
@ApplicationScoped
public class RequestLimits {

  /** Below Quarkus' authentication (200) and authorization (100) filters. */
  static final int PRIORITY = 50;

  /** Webhook deliveries (HookResource), rate-limited per hook. */
  static final String HOOKS = "/api/v1/hooks/";

  private final GatewayConfig config;
  private final RateLimiter limiter;
  private final CurrentCaller callers;
  private final MeterRegistry meters;

  public RequestLimits(
      GatewayConfig config, RateLimiter limiter, CurrentCaller callers, MeterRegistry meters) {
    this.config = config;
    this.limiter = limiter;
    this.callers = callers;
    this.meters = meters;
  }

  /** After the filters (negative orders), before the GraphQL route and its own body handler. */
  static final int GRAPHQL_BODY_ORDER = -10;

  void register(@Observes Filters filters) {
    filters.register(this::handle, PRIORITY);
  }

  void graphqlBody(@Observes Router router) {
    int max = config.graphql().maxBodyBytes();
    BodyHandler limited =
        BodyHandler.create()
            .setBodyLimit(max)
            .setHandleFileUploads(false)
            .setMergeFormAttributes(false);
    router
        .post("/graphql")
        .order(GRAPHQL_BODY_ORDER)
        .handler(
            rc -> {
              // Quarkus pauses requests until a body handler reads them
              if (!rc.request().isEnded()) {
                rc.request().resume();
              }
              limited.handle(rc);
            })
        .failureHandler(
            rc -> {
              if (rc.statusCode() == 413 && !rc.response().headWritten()) {
                meters.counter("dataplane.gateway.body.too.large").increment();
                rc.response().putHeader("Connection", "close");
                reject(
                    rc,
                    413,
                    ErrorCodes.TOO_LARGE,
                    "GraphQL requests are limited to " + max + " bytes");
              } else {
                rc.next();
              }
            });
  }

  void handle(RoutingContext rc) {
    String path = rc.normalizedPath();
    boolean graphql = path.equals("/graphql") || path.startsWith("/graphql/");
    boolean api = path.startsWith("/api/");
    if (!graphql && !api) {
      rc.next();
      return;
    }
    if (graphql && path.equals("/graphql")) {
      String length = rc.request().getHeader("Content-Length");
      if (length != null) {
        try {
          if (Long.parseLong(length.strip()) > config.graphql().maxBodyBytes()) {
            reject(
                rc,
                413,
                ErrorCodes.TOO_LARGE,
                "GraphQL requests are limited to " + config.graphql().maxBodyBytes() + " bytes");
            return;
          }
        } catch (NumberFormatException e) {
          reject(rc, 400, ErrorCodes.INVALID_INPUT, "bad Content-Length");
          return;
        }
      }
    }
    if (!config.rateLimit().enabled()) {
      rc.next();
      return;
    }
    String principal = principal(rc);
    limiter
        .hit(principal)
        .subscribe()
        .with(
            decision -> {
              if (decision.allowed()) {
                rc.next();
              } else {
                meters.counter("dataplane.gateway.rate.limited").increment();
                rc.response()
                    .putHeader("Retry-After", String.valueOf(decision.retryAfterSeconds()));
                reject(
                    rc,
                    429,
                    ErrorCodes.RATE_LIMITED,
                    "too many requests; retry after " + decision.retryAfterSeconds() + " s");
              }
            },
            failure -> {
              // Redis down: serve rather than refuse everyone
              Log.warnf("rate limit not applied (Redis: %s)", failure.getMessage());
              rc.next();
            });
  }

  private String principal(RoutingContext rc) {
    String path = rc.normalizedPath();
    if (path.startsWith(HOOKS)) {
      // a webhook has no signed-in sender: its deliveries count per hook, whoever sends them
      String rest = path.substring(HOOKS.length());
      int slash = rest.indexOf('/');
      return "hook:" + (slash < 0 ? rest : rest.substring(0, slash));
    }
    SecurityIdentity identity =
        rc.user() instanceof QuarkusHttpUser u ? u.getSecurityIdentity() : null;
    var caller = callers.of(identity);
    if (caller.authenticated()) {
      return caller.rateKey();
    }
    return "ip:" + rc.request().remoteAddress().hostAddress();
  }

  private static void reject(RoutingContext rc, int status, String code, String message) {
    try {
      byte[] body = Json.mapper().writeValueAsBytes(ErrorResponse.of(code, message));
      rc.response()
          .setStatusCode(status)
          .putHeader("Content-Type", "application/json")
          .end(io.vertx.core.buffer.Buffer.buffer(body));
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      rc.response().setStatusCode(status).end();
    }
  }
}
