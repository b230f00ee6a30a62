package io.dataplane.secrets.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.secrets.service.SecretService;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;

/** Secret reads of one run, across its tasks and attempts. */
@Path("/api/v1/audit")
@Produces(MediaType.APPLICATION_JSON)
public class AuditResource {

  private final SecretService secrets;

  public AuditResource(SecretService secrets) {
    this.secrets = secrets;
  }

  /**
   * The run's secret reads, newest first; the {@value Paging#NEXT_CURSOR} header pages as for one
   * secret.
   */
  @GET
  public Response byRun(
      @QueryParam("runId") String runId,
      @QueryParam("cursor") String cursor,
      @QueryParam("limit") Integer limit) {
    if (runId == null || runId.isBlank()) {
      throw DataplaneException.invalid("runId", "runId is required");
    }
    UUID id;
    try {
      id = UUID.fromString(runId);
    } catch (IllegalArgumentException e) {
      throw DataplaneException.invalid("runId", "runId is not a UUID");
    }
    int n = Paging.limit(limit);
    return Paging.page(secrets.auditOfRun(id, Paging.cursor(cursor), n), n);
  }
}
