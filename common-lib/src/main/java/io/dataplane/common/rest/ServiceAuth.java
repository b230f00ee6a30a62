package io.dataplane.common.rest;

import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.error.ErrorResponse;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.ext.Provider;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.lang.reflect.Method;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Service-to-service authentication and authorization: calls to {@code /api/} carry {@code
 * Authorization: Bearer <token of the calling service>}; without a known token they get 401, and a
 * caller without the endpoint's {@link Scope} gets 403. On only where {@code
 * dataplane.service-auth.enabled=true}; tokens and scopes are described in {@link
 * ServiceCredentials}.
 *
 * <p>The person on whose behalf a service acts travels in {@link #ACTOR_HEADER}; only a caller with
 * every scope (the gateway, an operator) may set it. From any other caller the header is refused
 * (403) and the filter sets it to {@code service:<caller>}, so what a service records as "who" is
 * never a name a worker chose.
 */
public final class ServiceAuth {

  /** Header naming the person or key a call is made for. */
  public static final String ACTOR_HEADER = "X-Dataplane-Actor";

  /**
   * Header a worker names itself in (its instance id), recorded as {@code worker:<id>}: a worker
   * may say which worker it is, never which person.
   */
  public static final String WORKER_HEADER = "X-Dataplane-Worker";

  /** Request property holding the authenticated caller's name. */
  public static final String CALLER_PROPERTY = "dataplane.service-auth.caller";

  private static final Logger LOG = Logger.getLogger(ServiceAuth.class.getName());

  private ServiceAuth() {}

  /**
   * The scope an endpoint (method or resource class) needs; without it an endpoint needs every
   * scope ({@link ServiceCredentials#ALL}), i.e. only the gateway or an operator may call it.
   */
  @Retention(RetentionPolicy.RUNTIME)
  @Target({ElementType.METHOD, ElementType.TYPE})
  public @interface Scope {
    String value();
  }

  /** The actor of a request, or {@code system} when none was given. */
  public static String actor(String headerValue) {
    if (headerValue == null || headerValue.isBlank()) {
      return "system";
    }
    String v = headerValue.strip();
    return v.length() > 200 ? v.substring(0, 200) : v;
  }

  /**
   * The name this service calls others as: {@code dataplane.service-auth.caller}, else its {@code
   * quarkus.application.name} without {@code -service}.
   */
  public static String ownCaller(Config config) {
    return config
        .getOptionalValue("dataplane.service-auth.caller", String.class)
        .orElseGet(
            () ->
                config
                    .getOptionalValue("quarkus.application.name", String.class)
                    .orElse("")
                    .replaceFirst("-service$", ""));
  }

  /**
   * The token this service sends to others: {@code dataplane.service-auth.token} when set, else the
   * first of its own caller's tokens ({@code DATAPLANE_SERVICE_TOKENS_<SELF>}); empty when none.
   */
  public static String outgoingToken() {
    Config config = ConfigProvider.getConfig();
    Optional<String> explicit =
        config
            .getOptionalValue("dataplane.service-auth.token", String.class)
            .filter(t -> !t.isBlank());
    if (explicit.isPresent()) {
      return explicit.get().strip();
    }
    try {
      return ServiceCredentials.load(lookup(config)).tokenOf(ownCaller(config)).orElse("");
    } catch (ServiceCredentials.InvalidException e) {
      return "";
    }
  }

  static Function<String, Optional<String>> lookup(Config config) {
    return name -> config.getOptionalValue(name, String.class).filter(v -> !v.isBlank());
  }

  /** What the filter decided once from configuration: on or off, and the credentials or why not. */
  record Settings(boolean enabled, ServiceCredentials credentials, String error) {

    static Settings load(Config config) {
      return load(
          config.getOptionalValue("dataplane.service-auth.enabled", Boolean.class).orElse(false),
          lookup(config));
    }

    static Settings load(boolean enabled, Function<String, Optional<String>> lookup) {
      if (!enabled) {
        return new Settings(false, null, null);
      }
      try {
        ServiceCredentials c = ServiceCredentials.load(lookup);
        if (c.isEmpty()) {
          return new Settings(
              true, null, "no service token is configured (DATAPLANE_SERVICE_TOKENS_<CALLER>)");
        }
        return new Settings(true, c, null);
      } catch (ServiceCredentials.InvalidException e) {
        return new Settings(true, null, e.getMessage());
      }
    }
  }

  /** The filter, picked up by every service from common-lib's index. */
  @Provider
  @Priority(Priorities.AUTHENTICATION)
  public static final class Filter implements ContainerRequestFilter {

    @Context ResourceInfo resourceInfo;

    Supplier<Settings> loader = () -> Settings.load(ConfigProvider.getConfig());

    // loaded once; a configuration error is kept, so every request is refused, not only the first
    private volatile Settings settings;

    @Override
    public void filter(ContainerRequestContext ctx) {
      Decision d =
          decide(
              settings(),
              ctx.getUriInfo().getPath(),
              ctx.getHeaderString("Authorization"),
              ctx.getHeaderString(ACTOR_HEADER),
              requiredScope());
      if (d.status() != 0) {
        ctx.abortWith(ErrorMappers.respond(d.status(), ErrorResponse.of(d.code(), d.message())));
        return;
      }
      if (d.caller() != null) {
        if (!d.caller().mayNameActor()) {
          ctx.getHeaders().putSingle(ACTOR_HEADER, "service:" + d.caller().name());
        }
        ctx.setProperty(CALLER_PROPERTY, d.caller().name());
      }
    }

    /** The settings, loaded once; a configuration error stays, so every request is refused. */
    Settings settings() {
      Settings s = settings;
      if (s == null) {
        s = loader.get();
        if (s.error() != null) {
          LOG.log(Level.SEVERE, "service authentication refuses every call: {0}", s.error());
        }
        settings = s;
      }
      return s;
    }

    private String requiredScope() {
      if (resourceInfo == null) {
        return ServiceCredentials.ALL;
      }
      Method m = resourceInfo.getResourceMethod();
      Scope scope = m == null ? null : m.getAnnotation(Scope.class);
      if (scope == null && resourceInfo.getResourceClass() != null) {
        scope = resourceInfo.getResourceClass().getAnnotation(Scope.class);
      }
      return scope == null ? ServiceCredentials.ALL : scope.value();
    }
  }

  /** What to do with a call: go on (status 0, with the caller when authenticated) or refuse. */
  record Decision(int status, String code, String message, ServiceCredentials.Caller caller) {
    static Decision pass(ServiceCredentials.Caller caller) {
      return new Decision(0, null, null, caller);
    }

    static Decision refuse(int status, String code, String message) {
      return new Decision(status, code, message, null);
    }
  }

  /** The rule, without JAX-RS: who may call {@code path} needing {@code scope}. */
  static Decision decide(
      Settings s, String path, String authorization, String actorHeader, String scope) {
    if (!s.enabled() || path == null || !(path.startsWith("/api/") || path.startsWith("api/"))) {
      return Decision.pass(null);
    }
    if (s.error() != null) {
      return Decision.refuse(
          500,
          ErrorCodes.INTERNAL,
          "service authentication is misconfigured; see the service's log");
    }
    Optional<ServiceCredentials.Caller> caller = s.credentials().authenticate(authorization);
    if (caller.isEmpty()) {
      return Decision.refuse(
          401, ErrorCodes.UNAUTHENTICATED, "a service token is required for this call");
    }
    ServiceCredentials.Caller c = caller.get();
    if (!c.may(scope)) {
      return Decision.refuse(
          403, ErrorCodes.FORBIDDEN, "caller '" + c.name() + "' may not call this endpoint");
    }
    if (!c.mayNameActor() && actorHeader != null && !actorHeader.isBlank()) {
      return Decision.refuse(
          403,
          ErrorCodes.FORBIDDEN,
          "caller '" + c.name() + "' may not name an actor (" + ACTOR_HEADER + ")");
    }
    return Decision.pass(c);
  }
}
