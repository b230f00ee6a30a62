package io.dataplane.gateway.security;

import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.IdentityProvider;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.runtime.QuarkusPrincipal;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/** Checks a presented API key against the stored hashes (on a worker thread). */
@ApplicationScoped
public class ApiKeyIdentityProvider
    implements IdentityProvider<ApiKeyAuthenticationMechanism.ApiKeyRequest> {

  private final ApiKeyService keys;

  public ApiKeyIdentityProvider(ApiKeyService keys) {
    this.keys = keys;
  }

  @Override
  public Class<ApiKeyAuthenticationMechanism.ApiKeyRequest> getRequestType() {
    return ApiKeyAuthenticationMechanism.ApiKeyRequest.class;
  }

  @Override
  public Uni<SecurityIdentity> authenticate(
      ApiKeyAuthenticationMechanism.ApiKeyRequest request, AuthenticationRequestContext context) {
    return context.runBlocking(
        () -> {
          Caller caller =
              keys.authenticate(request.key())
                  .orElseThrow(
                      () -> new AuthenticationFailedException("unknown, expired or revoked key"));
          return QuarkusSecurityIdentity.builder()
              .setPrincipal(new QuarkusPrincipal(caller.name()))
              .addAttribute(CurrentCaller.CALLER_ATTRIBUTE, caller)
              .build();
        });
  }
}
