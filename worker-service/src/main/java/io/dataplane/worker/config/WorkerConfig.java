package io.dataplane.worker.config;

import io.dataplane.common.events.WorkerGroupRef;
import io.dataplane.worker.sandbox.SandboxMode;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithConverter;
import io.smallrye.config.WithDefault;
import io.smallrye.config.WithName;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/** Configuration of worker-service, under {@code dataplane.worker}. */
@ConfigMapping(prefix = "dataplane.worker")
public interface WorkerConfig {

  /**
   * This worker's id in claims, events and logs; unique per worker. Unset: {@code $HOSTNAME} (the
   * pod's name in Kubernetes), or the host name and pid ({@code host-12345}) when that is unset.
   */
  @WithName("instance-id")
  Optional<String> configuredInstanceId();

  /** The worker id: {@link #configuredInstanceId()} or the default of {@link InstanceIds}. */
  default String instanceId() {
    return configuredInstanceId().filter(s -> !s.isBlank()).orElseGet(InstanceIds::local);
  }

  /**
   * The worker groups this worker serves, as {@code environment/group} pairs ({@code
   * prod/default,prod/etl}); it consumes their dispatch topics only. Required: a bare group name or
   * a malformed entry stops the start with a message.
   */
  @WithConverter(WorkerGroupRefConverter.class)
  List<WorkerGroupRef> groups();

  /** Attempts run at the same time (default, or 0: four per core; see Slots.count). */
  OptionalInt slots();

  /**
   * Share consumers per worker group: each takes one dispatch at a time and claims it, so with more
   * than one the next claim overlaps the current one. Two bought nothing measurable on fanout100
   * (docs/adr/0002), so one by default. At least 1.
   */
  @WithDefault("1")
  int dispatchConsumers();

  /**
   * How long a dispatch taken while the worker's last free slot went to another of its consumers
   * waits for a slot before it is handed back to the group (a hand-back counts against the record's
   * deliveries, {@code group.share.delivery.count.limit}, 5 by default).
   */
  @WithDefault("1s")
  Duration dispatchSlotWait();

  /**
   * How task processes are contained: bwrap (always; a worker whose start-up probe cannot start
   * bubblewrap is not ready and takes no work), auto (bubblewrap when it works here, else none, if
   * {@link #allowUnsandboxed()}) or none (needs {@link #allowUnsandboxed()}).
   */
  @WithDefault("bwrap")
  SandboxMode sandbox();

  /**
   * Whether tasks may run without a sandbox ({@code none}, or {@code auto} without a working
   * bubblewrap). Unsandboxed tasks run as the worker's user and can read its environment; shown by
   * the metric {@code dataplane_worker_sandboxed} and the {@code sandbox} field of {@code workers}.
   */
  @WithDefault("false")
  boolean allowUnsandboxed();

  /** The bubblewrap binary. */
  @WithDefault("/usr/bin/bwrap")
  String bwrap();

  /** First uid of the sandboxed task users when the worker runs as root: slot n runs as base+n. */
  @WithDefault("61000")
  int sandboxUidBase();

  /** The bash interpreter. */
  @WithDefault("/usr/bin/bash")
  String bash();

  /** The Python interpreter; must lie under /usr to be visible inside the sandbox. */
  @WithDefault("/usr/bin/python3")
  String python();

  /** Where scratch directories are made (one per attempt, removed afterwards). */
  @WithDefault("${java.io.tmpdir}/dataplane-worker/work")
  String workDir();

  /** Task output kept per attempt, in bytes; beyond it a marker line is written. */
  @WithDefault("10485760")
  long logLimitBytes();

  /** How often log lines are sent; a line reaches Kafka within about twice this. */
  @WithDefault("40ms")
  Duration logFlushInterval();

  /** Largest output JSON (DP_OUTPUT) accepted, in bytes. */
  @WithDefault("65536")
  long maxOutputBytes();

  /** Resource limits of each task process. */
  Limits limits();

  /** The local bundle cache. */
  Cache cache();

  /** The spool of results not yet acknowledged by Kafka. */
  Spool spool();

  /** How long running attempts may finish after SIGTERM before they are interrupted. */
  @WithDefault("30s")
  Duration shutdownGrace();

  /** Interval of the WorkerHeartbeat. */
  @WithDefault("1s")
  Duration heartbeatInterval();

  /**
   * How long a claim is retried while the orchestrator cannot be reached, holding the dispatch;
   * keep it below the broker's share-group record lock ({@code
   * group.share.record.lock.duration.ms}, 30 s by default), after which the broker hands the record
   * to another worker.
   */
  @WithDefault("20s")
  Duration claimRetryFor();

  /** Base URL of orchestrator-service (attempt claims). */
  @WithDefault("http://localhost:8081")
  String orchestratorUrl();

  /** Base URL of secrets-service (secret resolution). */
  @WithDefault("http://localhost:8084")
  String secretsUrl();

  /** Base URL of filestore-service (bundles). */
  @WithDefault("http://localhost:8085")
  String filestoreUrl();

  /** Timeout of each call to another service. */
  @WithDefault("10s")
  Duration httpTimeout();

  /** Limits of each task process (0 = unlimited). */
  interface Limits {
    /** Address space (RLIMIT_AS), bytes. */
    @WithDefault("4294967296")
    long memoryBytes();

    /**
     * Processes and threads of one task (RLIMIT_NPROC of the task's own uid when the worker runs as
     * root, or of the sandbox's user namespace otherwise); not applied without a sandbox.
     */
    @WithDefault("512")
    long processes();

    /**
     * Size of the task's writable space in the sandbox ({@code /job} and {@code /tmp}, each a tmpfs
     * of this size), bytes; a task that fills it gets "No space left on device".
     */
    @WithDefault("1073741824")
    long scratchBytes();

    /** Largest file the task may write (RLIMIT_FSIZE), bytes. */
    @WithDefault("1073741824")
    long fileSizeBytes();
  }

  /** The bundle cache. */
  interface Cache {
    /** Directory of unpacked bundles (emptied at start). */
    @WithDefault("${java.io.tmpdir}/dataplane-worker/bundles")
    String dir();

    /** Unpacked bytes kept before least-recently-used bundles are evicted. */
    @WithDefault("1073741824")
    long maxBytes();

    /**
     * Largest bundle accepted, as downloaded (compressed) and as unpacked, bytes; checked while it
     * streams, so a bigger one fails the attempt before it fills the disk.
     */
    @WithDefault("268435456")
    long maxBundleBytes();
  }

  /** Results (AttemptFinished) kept on disk until Kafka acknowledged them. */
  interface Spool {
    /**
     * Directory of unacknowledged results (a subdirectory per worker instance id); keep it on a
     * volume that outlives the process, its files are sent again at the next start.
     */
    @WithDefault("${java.io.tmpdir}/dataplane-worker/spool")
    String dir();

    /** How often results whose send failed are sent again. */
    @WithDefault("10s")
    Duration retryInterval();
  }
}
