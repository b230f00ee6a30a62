package io.dataplane.gateway.security;

import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.security.identity.request.BaseAuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Reads an API key from {@code X-Api-Key: <key>} or {@code Authorization: ApiKey <key>}; bearer
 * tokens are left to the OIDC mechanism.
 */
@ApplicationScoped
public class ApiKeyAuthenticationMechanism implements HttpAuthenticationMechanism {

  public static final String HEADER = "X-Api-Key";
  private static final String SCHEME = "ApiKey ";

  @Override
  public Uni<SecurityIdentity> authenticate(
      RoutingContext context, IdentityProviderManager identityProviderManager) {
    String key = presentedKey(context);
    if (key == null) {
      return Uni.createFrom().nullItem();
    }
    return identityProviderManager.authenticate(new ApiKeyRequest(key));
  }

  static String presentedKey(RoutingContext context) {
    String header = context.request().getHeader(HEADER);
    if (header != null && !header.isBlank()) {
      return header.strip();
    }
    String auth = context.request().getHeader("Authorization");
    if (auth != null && auth.regionMatches(true, 0, SCHEME, 0, SCHEME.length())) {
      return auth.substring(SCHEME.length()).strip();
    }
    return null;
  }

  @Override
  public Uni<ChallengeData> getChallenge(RoutingContext context) {
    return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "ApiKey"));
  }

  @Override
  public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
    return Set.of(ApiKeyRequest.class);
  }

  /** The key presented by a request. */
  public static final class ApiKeyRequest extends BaseAuthenticationRequest {
    private final String key;

    public ApiKeyRequest(String key) {
      this.key = key;
    }

    public String key() {
      return key;
    }
  }
}
