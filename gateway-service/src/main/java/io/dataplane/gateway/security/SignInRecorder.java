package io.dataplane.gateway.security;

import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.jwt.JsonWebToken;

/**
 * Records every token sign-in in the {@link UserDirectory} (subject, name, groups, realm admin
 * role), so that API keys act with their owner's current state and pending bindings are claimed.
 */
@ApplicationScoped
public class SignInRecorder implements SecurityIdentityAugmentor {

  private final CurrentCaller callers;
  private final UserDirectory users;

  public SignInRecorder(CurrentCaller callers, UserDirectory users) {
    this.callers = callers;
    this.users = users;
  }

  @Override
  public Uni<SecurityIdentity> augment(
      SecurityIdentity identity, AuthenticationRequestContext context) {
    if (identity.isAnonymous() || !(identity.getPrincipal() instanceof JsonWebToken)) {
      return Uni.createFrom().item(identity);
    }
    Caller c = callers.of(identity);
    boolean tokenAdmin = callers.hasAdminRole(identity);
    if (!c.authenticated() || users.upToDate(c.subject(), c.name(), c.groups(), tokenAdmin)) {
      return Uni.createFrom().item(identity);
    }
    return context.runBlocking(
        () -> {
          users.signedIn(c.subject(), c.name(), c.groups(), tokenAdmin);
          return identity;
        });
  }
}
