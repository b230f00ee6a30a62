package io.dataplane.filestore.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.filestore.Bundle;
import io.dataplane.filestore.StoredFile;
import io.dataplane.filestore.service.BlobService;
import io.dataplane.filestore.service.BundleService;
import io.dataplane.filestore.service.FileService;
import io.dataplane.filestore.service.FilestoreMetrics;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpServerRequest;
import jakarta.validation.constraints.NotNull;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.InputStream;
import java.util.Date;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** The files of a pipeline's draft, and the bundles made of them. */
@Path("/api/v1/environments/{env}/pipelines/{pipeline}")
@Tag(name = "files", description = "Files of pipeline drafts and their bundles")
public class FileResource {

  private final FileService files;
  private final BundleService bundles;
  private final BlobService blobs;
  private final FilestoreMetrics metrics;

  public FileResource(
      FileService files, BundleService bundles, BlobService blobs, FilestoreMetrics metrics) {
    this.files = files;
    this.bundles = bundles;
    this.blobs = blobs;
    this.metrics = metrics;
  }

  /** A file as listed or returned after a write. */
  public record FileView(
      String path,
      long sizeBytes,
      String digest,
      String contentType,
      String modifiedBy,
      java.time.Instant modifiedAt) {
    static FileView of(StoredFile f) {
      return new FileView(
          f.path(), f.sizeBytes(), f.digest(), f.contentType(), f.modifiedBy(), f.modifiedAt());
    }
  }

  /** The files of a pipeline. */
  public record FileList(List<FileView> items, int fileCount, long totalBytes) {}

  /** Body of a move. */
  public record MoveRequest(@NotNull String from, @NotNull String to) {}

  @PUT
  @Path("files/{path: .+}")
  @Consumes(MediaType.WILDCARD)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Write a file (raw bytes, text or binary)",
      description =
          "201 when created, 200 when replaced. 413 TOO_LARGE as soon as the per-file or"
              + " per-pipeline limit is passed; 400 INVALID_INPUT for a refused path.")
  public Response write(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @PathParam("path") String path,
      @HeaderParam(HttpHeaders.CONTENT_TYPE) String contentType,
      @HeaderParam(HttpHeaders.CONTENT_LENGTH) Long contentLength,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor,
      @Context HttpServerRequest request,
      InputStream body) {
    FileService.Written w;
    try {
      w =
          files.write(
              env,
              pipeline,
              path,
              contentType == null || contentType.isBlank()
                  ? MediaType.APPLICATION_OCTET_STREAM
                  : contentType,
              ServiceAuth.actor(actor),
              contentLength == null ? -1 : contentLength,
              body);
    } catch (DataplaneException e) {
      if (!ErrorCodes.TOO_LARGE.equals(e.code())) {
        throw e;
      }
      // the rest of the body is not wanted: close the connection once the answer is out, instead
      // of reading (and discarding) whatever the client still sends
      request.response().endHandler(v -> request.connection().close());
      return Response.status(413)
          .type(MediaType.APPLICATION_JSON_TYPE)
          .header("Connection", "close")
          .entity(e.toResponse())
          .build();
    }
    return Response.status(w.created() ? 201 : 200)
        .header(HttpHeaders.ETAG, Downloads.etag(w.file().digest()))
        .entity(FileView.of(w.file()))
        .build();
  }

  @GET
  @Path("files/{path: .+}")
  @Operation(
      summary = "Read a file",
      description = "The raw bytes, with ETag = digest; 304 on a matching If-None-Match.")
  public Response read(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @PathParam("path") String path,
      @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
    StoredFile f = files.get(env, pipeline, path);
    if (Downloads.matches(ifNoneMatch, f.digest())) {
      metrics.cacheValidated("file");
      return Downloads.notModified(f.digest()).build();
    }
    Response.ResponseBuilder ok = Downloads.ok(blobs, f.digest(), f.contentType());
    metrics.downloaded("file");
    return ok.header(HttpHeaders.CONTENT_LENGTH, f.sizeBytes())
        .header(HttpHeaders.CACHE_CONTROL, "no-cache")
        .header(HttpHeaders.LAST_MODIFIED, Date.from(f.modifiedAt()))
        .header("X-Dataplane-Digest", f.digest())
        .build();
  }

  @DELETE
  @Path("files/{path: .+}")
  @Operation(summary = "Delete a file", description = "204; 404 if there is no such file.")
  public Uni<Response> delete(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @PathParam("path") String path) {
    return files.delete(env, pipeline, path).map(v -> Response.noContent().build());
  }

  // "files" and "files:move" share one pattern: with "files" as a plain literal the router reads
  // "files:move" as "files" followed by garbage; and clients may send the colon as %3A
  static final String FILES_OR_MOVE = "{files: files(?::move|%3[Aa]move)?}";

  @GET
  @Path(FILES_OR_MOVE)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "List a pipeline's files",
      description = "Sorted by path; sizes, digests, modified by and when; optional path prefix.")
  public Uni<FileList> list(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @PathParam("files") String files,
      @QueryParam("prefix") String prefix) {
    if (!files.equals("files")) {
      throw new NotAllowedException("POST");
    }
    return this.files
        .list(env, pipeline, prefix)
        .map(
            stored -> {
              List<FileView> items = stored.stream().map(FileView::of).toList();
              return new FileList(
                  items, items.size(), items.stream().mapToLong(FileView::sizeBytes).sum());
            });
  }

  @POST
  @Path(FILES_OR_MOVE)
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Move (rename) a file: POST .../files:move {from, to}",
      description = "409 CONFLICT if the target exists; 404 if the source does not.")
  public Uni<FileView> move(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @PathParam("files") String files,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor,
      @NotNull MoveRequest request) {
    if (!files.equals("files:move")) {
      throw new NotAllowedException("GET");
    }
    if (request.from() == null || request.to() == null) {
      throw DataplaneException.invalid(
          request.from() == null ? "from" : "to", "give both from and to");
    }
    return this.files
        .move(env, pipeline, request.from(), request.to(), ServiceAuth.actor(actor))
        .map(FileView::of);
  }

  @POST
  @Path("bundles")
  @Produces(MediaType.APPLICATION_JSON)
  @Operation(
      summary = "Snapshot the pipeline's files into a bundle",
      description =
          "A deterministic tar.gz: the same files always give the same digest. 201 with"
              + " {digest, sizeBytes, files}; publishes BundlePublished.")
  public Response publish(
      @PathParam("env") String env,
      @PathParam("pipeline") String pipeline,
      @HeaderParam(ServiceAuth.ACTOR_HEADER) String actor) {
    Bundle b = bundles.publish(env, pipeline, ServiceAuth.actor(actor));
    return Response.status(201).entity(b).build();
  }
}
