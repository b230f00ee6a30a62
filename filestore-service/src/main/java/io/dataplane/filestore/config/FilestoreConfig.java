package io.dataplane.filestore.config;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.util.Optional;

/** Configuration of filestore-service, under {@code dataplane.filestore}. */
@ConfigMapping(prefix = "dataplane.filestore")
public interface FilestoreConfig {

  /** The PostgreSQL schema this service owns (Flyway migrates it at start-up). */
  @WithDefault("filestore")
  String schema();

  /** Name this instance reports in logs and events (default: the host name). */
  @WithDefault("${HOSTNAME:local}")
  String instanceId();

  /**
   * Base URL of orchestrator-service (e.g. http://orchestrator:8081), asked whether an environment
   * exists before files are written there; unset: any well-formed environment name is accepted.
   */
  Optional<String> orchestratorUrl();

  /** Where file and bundle bytes live: {@code postgres} (default), {@code local} or {@code s3}. */
  @WithDefault("postgres")
  Backend backend();

  /** Largest single file accepted; larger uploads are cut off with 413 while streaming. */
  @WithDefault("10M")
  MemorySize maxFileSize();

  /** Largest total of a pipeline's files; an upload that would pass it is cut off with 413. */
  @WithDefault("200M")
  MemorySize maxPipelineSize();

  /** Scratch directory for uploads being received and blobs being verified before sending. */
  @WithDefault("${java.io.tmpdir}/dataplane-filestore")
  String tmpDirectory();

  /** PostgreSQL backend. */
  Postgres postgres();

  /** Local-directory backend. */
  Local local();

  /** S3 backend. */
  S3 s3();

  /** Collection of blobs no file or bundle refers to any more. */
  Gc gc();

  /** The storage backends. */
  enum Backend {
    postgres,
    local,
    s3
  }

  /** Collector of unreferenced blobs (bundles are never collected). */
  interface Gc {
    /** Run the collector. */
    @WithDefault("true")
    boolean enabled();

    /** Time between sweeps. */
    @WithDefault("1h")
    java.time.Duration interval();

    /** A blob is collected only when unreferenced and unused for this long. */
    @WithDefault("1h")
    java.time.Duration grace();
  }

  /** PostgreSQL backend: blobs split into chunks of a table in the service's schema. */
  interface Postgres {
    /** Size of one chunk; a read holds at most one chunk in memory. */
    @WithDefault("1M")
    MemorySize chunkSize();
  }

  /** Local-directory backend: one file per blob, named by its digest. */
  interface Local {
    /** The directory (created if missing); must be on a persistent volume in production. */
    @WithDefault("data/filestore")
    String directory();
  }

  /** S3 backend (AWS S3 or any S3-compatible store). */
  interface S3 {
    /** Bucket holding the blobs. */
    @WithDefault("dataplane-filestore")
    String bucket();

    /** Key prefix inside the bucket. */
    @WithDefault("blobs/")
    String prefix();

    /** Region (S3-compatible stores usually accept any). */
    @WithDefault("us-east-1")
    String region();

    /** Endpoint of an S3-compatible store (e.g. http://minio:9000); AWS when empty. */
    Optional<String> endpoint();

    /** Path-style addressing (bucket in the path), needed by most S3-compatible stores. */
    @WithDefault("false")
    boolean pathStyle();

    /** Access key id; the AWS default credentials chain is used when empty. */
    Optional<String> accessKeyId();

    /** Secret access key, paired with {@link #accessKeyId()}. */
    Optional<String> secretAccessKey();

    /** Create the bucket at start-up when it does not exist. */
    @WithDefault("false")
    boolean createBucket();
  }
}
