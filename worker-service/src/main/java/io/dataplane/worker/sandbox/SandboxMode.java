package io.dataplane.worker.sandbox;

/** How task processes are contained ({@code dataplane.worker.sandbox}). */
public enum SandboxMode {
  /**
   * bubblewrap when it is installed and works here (probed at start-up), otherwise {@link #NONE}.
   */
  AUTO,
  /** always bubblewrap; the worker refuses to start when it is missing. */
  BWRAP,
  /** a plain subprocess in its own session, with rlimits and the timeout only. */
  NONE
}
