package io.dataplane.secrets.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.secrets.service.MasterKeyProvider;
import io.dataplane.secrets.service.RotationService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

/**
 * Master key operations for operators: which versions exist and how many data keys each wraps,
 * re-read the key configuration, run a re-wrap pass now, retire a version. Key material is never
 * accepted nor shown here: it comes from configuration only.
 */
@Path("/api/v1/master-keys")
@Produces(MediaType.APPLICATION_JSON)
public class MasterKeyResource {

  private final RotationService rotation;
  private final MasterKeyProvider keys;

  public MasterKeyResource(RotationService rotation, MasterKeyProvider keys) {
    this.rotation = rotation;
    this.keys = keys;
  }

  @GET
  public RotationService.MasterKeys list() {
    return rotation.describe();
  }

  /** Re-reads the master keys from configuration and the key directory. */
  @POST
  @Path("reload")
  public RotationService.MasterKeys reload() {
    try {
      keys.reload();
    } catch (IllegalArgumentException e) {
      throw DataplaneException.invalid("masterKeys", e.getMessage());
    }
    return rotation.describe();
  }

  /** Runs one re-wrap pass now (the background job runs them anyway). */
  @POST
  @Path("rewrap")
  public RotationService.RewrapResult rewrap() {
    return rotation.rewrapPass();
  }

  @POST
  @Path("{version}/retire")
  public RotationService.MasterKeys retire(
      @PathParam("version") String version, @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    try {
      return rotation.retire(version, ServiceAuth.actor(actor));
    } catch (IllegalArgumentException e) {
      throw DataplaneException.invalid("version", e.getMessage());
    }
  }
}
