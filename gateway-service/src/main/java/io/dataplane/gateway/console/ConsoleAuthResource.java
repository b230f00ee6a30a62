package io.dataplane.gateway.console;

import io.quarkus.security.Authenticated;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * The console's sign-in: {@code /auth/login?to=/runs/42} goes through the provider's sign-in (the
 * console tenant's authorization-code flow with PKCE) when there is no valid session, then back to
 * {@code to}. Sign-out is Quarkus OIDC's {@code /auth/logout}, which ends the provider's session.
 */
@Path("/auth")
public class ConsoleAuthResource {

  @GET
  @Path("login")
  @Authenticated
  public Response login(@QueryParam("to") String to) {
    return Response.seeOther(URI.create(safeTarget(to))).build();
  }

  /** A path of this site only: never another origin ({@code //evil}, {@code /\evil}, a URL). */
  static String safeTarget(String to) {
    if (to == null
        || !to.startsWith("/")
        || to.startsWith("//")
        || to.startsWith("/\\")
        || to.startsWith("/auth/")
        || to.chars().anyMatch(ch -> ch < 0x21 || ch == '\\')) {
      return "/";
    }
    return to;
  }
}
