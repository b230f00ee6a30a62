package io.dataplane.common.rest;

import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.error.ErrorResponse;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Service-to-service authentication: calls to {@code /api/} carry {@code Authorization: Bearer
 * <service token>}; without it (or with another) they get 401. On only where {@code
 * dataplane.service-auth.enabled=true}; the token is {@code dataplane.service-auth.token}.
 *
 * <p>The caller on whose behalf a service acts travels in {@link #ACTOR_HEADER} (set by the gateway
 * from the signed-in user); services record it as "who".
 */
public final class ServiceAuth {

  /** Header naming the person or key a call is made for. */
  public static final String ACTOR_HEADER = "X-Dataplane-Actor";

  private ServiceAuth() {}

  /** The actor of a request, or {@code system} when none was given. */
  public static String actor(String headerValue) {
    if (headerValue == null || headerValue.isBlank()) {
      return "system";
    }
    String v = headerValue.strip();
    return v.length() > 200 ? v.substring(0, 200) : v;
  }

  /** Compares a presented bearer header with the configured token in constant time. */
  public static boolean matches(String authorizationHeader, String token) {
    if (authorizationHeader == null || token == null || token.isEmpty()) {
      return false;
    }
    String presented =
        authorizationHeader.regionMatches(true, 0, "Bearer ", 0, 7)
            ? authorizationHeader.substring(7).strip()
            : "";
    return MessageDigest.isEqual(
        presented.getBytes(StandardCharsets.UTF_8), token.getBytes(StandardCharsets.UTF_8));
  }

  /** The filter, picked up by every service from common-lib's index. */
  @Provider
  @Priority(Priorities.AUTHENTICATION)
  public static final class Filter implements ContainerRequestFilter {

    private volatile Boolean enabled;
    private volatile String token;

    @Override
    public void filter(ContainerRequestContext ctx) {
      if (enabled == null) {
        Config config = ConfigProvider.getConfig();
        enabled =
            config.getOptionalValue("dataplane.service-auth.enabled", Boolean.class).orElse(false);
        Optional<String> t = config.getOptionalValue("dataplane.service-auth.token", String.class);
        token = t.orElse("");
        if (enabled && token.length() < 16) {
          throw new IllegalStateException(
              "dataplane.service-auth.token must be set (at least 16 characters)");
        }
      }
      if (!enabled) {
        return;
      }
      String path = ctx.getUriInfo().getPath();
      if (!path.startsWith("/api/") && !path.startsWith("api/")) {
        return;
      }
      if (!matches(ctx.getHeaderString("Authorization"), token)) {
        ctx.abortWith(
            ErrorMappers.respond(
                401,
                ErrorResponse.of(
                    ErrorCodes.UNAUTHENTICATED, "a service token is required for this call")));
      }
    }
  }
}
