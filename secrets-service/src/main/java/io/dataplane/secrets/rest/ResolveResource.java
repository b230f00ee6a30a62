package io.dataplane.secrets.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.common.rest.ServiceCredentials;
import io.dataplane.secrets.service.ResolveService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Workers resolve the secrets a task declared, with the attempt's token. */
@Path("/api/v1/resolve")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class ResolveResource {

  /**
   * @param attemptToken the token of the attempt (from TaskDispatched)
   * @param environment optional: the environment the worker expects; a token for another is denied
   * @param names optional: a subset of the declared secrets; by default all of them
   */
  public record ResolveRequest(String attemptToken, String environment, List<String> names) {
    @Override
    public String toString() {
      return "ResolveRequest[environment=" + environment + ", names=" + names + "]";
    }
  }

  private final ResolveService resolver;

  public ResolveResource(ResolveService resolver) {
    this.resolver = resolver;
  }

  @ServiceAuth.Scope(ServiceCredentials.SECRETS_RESOLVE)
  @POST
  public Response resolve(
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor,
      @HeaderParam(ServiceAuth.WORKER_HEADER) String worker,
      ResolveRequest body) {
    if (body == null || body.attemptToken() == null || body.attemptToken().isBlank()) {
      throw DataplaneException.invalid("attemptToken", "attemptToken is required");
    }
    if (body.names() != null && body.names().stream().anyMatch(n -> n == null || n.isBlank())) {
      throw DataplaneException.invalid("names", "names must not contain empty entries");
    }
    ResolveService.Resolved resolved =
        resolver.resolve(
            body.attemptToken(),
            body.environment(),
            body.names(),
            // a worker names itself, never a person (ServiceAuth refuses its actor header)
            worker == null || worker.isBlank()
                ? ServiceAuth.actor(actor)
                : "worker:" + ServiceAuth.actor(worker));
    return Response.ok(resolved)
        .header("Cache-Control", "no-store")
        .header("Pragma", "no-cache")
        .build();
  }
}
