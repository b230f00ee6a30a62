package io.dataplane.secrets.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.common.rest.ServiceCredentials;
import io.dataplane.secrets.Secret;
import io.dataplane.secrets.SecretGrants;
import io.dataplane.secrets.service.SecretService;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;

/** Secrets of an environment, for the gateway. Values go in, never out. */
@Path("/api/v1/environments/{env}/secrets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
public class SecretResource {

  /** Body of a set: the new value. */
  public record SetSecretRequest(String value) {
    @Override
    public String toString() {
      return "SetSecretRequest[value=***]";
    }
  }

  private final SecretService secrets;

  public SecretResource(SecretService secrets) {
    this.secrets = secrets;
  }

  /** The environment's secrets, sorted by name. */
  @ServiceAuth.Scope(ServiceCredentials.SECRETS_NAMES)
  @GET
  public List<Secret> list(@PathParam("env") String env) {
    return secrets.list(env);
  }

  @GET
  @Path("{name}")
  public Secret get(@PathParam("env") String env, @PathParam("name") String name) {
    return secrets.get(env, name);
  }

  /** Sets a new value: a new version. */
  @PUT
  @Path("{name}")
  public Secret set(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor,
      SetSecretRequest body) {
    if (body == null) {
      throw DataplaneException.invalid("value", "value is required");
    }
    return secrets.set(env, name, body.value(), ServiceAuth.actor(actor));
  }

  @DELETE
  @Path("{name}")
  public Response delete(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    secrets.delete(env, name, ServiceAuth.actor(actor));
    return Response.noContent().build();
  }

  /** Replaces the grants: which pipelines and worker groups may resolve the secret. */
  @PUT
  @Path("{name}/grants")
  public Secret grants(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor,
      SecretGrants body) {
    if (body == null) {
      throw DataplaneException.invalid("body", "grants are required");
    }
    return secrets.setGrants(env, name, body, ServiceAuth.actor(actor));
  }

  /**
   * The secret's audit records, newest first. When there may be more, the {@value
   * Paging#NEXT_CURSOR} header holds the {@code cursor} of the next page.
   */
  @GET
  @Path("{name}/audit")
  public Response audit(
      @PathParam("env") String env,
      @PathParam("name") String name,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit) {
    int n = Paging.limit(limit);
    return Paging.page(secrets.audit(env, name, Paging.cursor(cursor), n), n);
  }
}
