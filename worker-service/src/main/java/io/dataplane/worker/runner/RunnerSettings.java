package io.dataplane.worker.runner;

import io.dataplane.worker.sandbox.SandboxCommand;
import io.dataplane.worker.sandbox.SandboxMode;
import java.nio.file.Path;

/**
 * What the process runner needs to know about this machine.
 *
 * @param mode BWRAP or NONE (AUTO already resolved)
 * @param workRoot where scratch directories are made
 * @param bash the bash interpreter
 * @param python the Python interpreter (must lie under /usr to be visible inside the sandbox)
 * @param logLimitBytes task output kept per attempt; 0 for no limit
 * @param maxOutputBytes largest DP_OUTPUT file accepted
 * @param flushIntervalMillis how often log lines are handed to the publisher
 */
public record RunnerSettings(
    SandboxCommand command,
    SandboxMode mode,
    SandboxCommand.Limits limits,
    Path workRoot,
    String bash,
    String python,
    long logLimitBytes,
    long maxOutputBytes,
    long flushIntervalMillis) {

  public static final long DEFAULT_MAX_OUTPUT_BYTES = 64 * 1024;
}
