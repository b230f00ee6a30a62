package io.dataplane.filestore.rest;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.common.rest.ServiceCredentials;
import io.dataplane.filestore.Bundle;
import io.dataplane.filestore.service.BlobService;
import io.dataplane.filestore.service.BundleService;
import io.dataplane.filestore.service.Digests;
import io.dataplane.filestore.service.FilestoreMetrics;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

/** Bundles by digest: immutable, so cached forever by anyone. */
@Path("/api/v1/bundles")
@Tag(name = "bundles", description = "Content-addressed bundles of pipeline files")
public class BundleResource {

  static final String IMMUTABLE = "public, max-age=31536000, immutable";

  private final BundleService bundles;
  private final BlobService blobs;
  private final FilestoreMetrics metrics;

  public BundleResource(BundleService bundles, BlobService blobs, FilestoreMetrics metrics) {
    this.bundles = bundles;
    this.blobs = blobs;
    this.metrics = metrics;
  }

  @ServiceAuth.Scope(ServiceCredentials.BUNDLES_READ)
  @GET
  @Path("{digest}")
  @Operation(
      summary = "Download a bundle",
      description =
          "The tar.gz bytes, streamed, ETag = digest, immutable; 304 on a matching"
              + " If-None-Match. A stored bundle whose bytes no longer match is never served:"
              + " 500 CORRUPT.")
  public Response download(
      @PathParam("digest") String digest,
      @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch) {
    Bundle b =
        bundles.find(digest).orElseThrow(() -> DataplaneException.notFound("bundle " + digest));
    if (Downloads.matches(ifNoneMatch, digest)) {
      metrics.cacheValidated("bundle");
      return Downloads.notModified(digest).header(HttpHeaders.CACHE_CONTROL, IMMUTABLE).build();
    }
    Response.ResponseBuilder ok = Downloads.ok(blobs, digest, "application/gzip");
    metrics.downloaded("bundle");
    return ok.header(HttpHeaders.CACHE_CONTROL, IMMUTABLE)
        .header(HttpHeaders.CONTENT_LENGTH, b.sizeBytes())
        .header(
            "Content-Disposition", "attachment; filename=\"" + Digests.hexOf(digest) + ".tar.gz\"")
        .build();
  }
}
