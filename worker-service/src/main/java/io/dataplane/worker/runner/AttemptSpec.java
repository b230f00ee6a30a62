package io.dataplane.worker.runner;

import io.dataplane.worker.redact.Redactor;
import java.nio.file.Path;
import java.util.Map;

/**
 * One task process to run.
 *
 * @param name a short label used in the scratch directory's name
 * @param runtime {@code bash} or {@code python}
 * @param script inline script, or null when {@code entrypoint} names a file of the bundle
 * @param entrypoint path of the script inside the bundle, or null
 * @param bundle the unpacked bundle on the host, or null
 * @param env the process environment (task env, params, DP_* ids, secrets); the runner adds the
 *     paths {@code DP_INPUTS}, {@code DP_OUTPUT}, {@code HOME}, {@code TMPDIR} and {@code PATH}
 * @param inputs upstream outputs, written as JSON to {@code DP_INPUTS}
 * @param network whether the task may use the network (sandbox only)
 * @param timeoutMillis wall-clock limit, or null/0 for none
 * @param uid uid to run as under the sandbox, or null
 * @param redactor masks the task's secrets in its logs
 */
public record AttemptSpec(
    String name,
    String runtime,
    String script,
    String entrypoint,
    Path bundle,
    Map<String, String> env,
    Map<String, Object> inputs,
    boolean network,
    Long timeoutMillis,
    Integer uid,
    Redactor redactor) {}
