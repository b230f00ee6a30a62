package io.dataplane.common.events;

import io.dataplane.common.triggers.TriggerSpec;
import java.util.List;

/**
 * A release of a pipeline is now its current one (a new release, or an earlier one after a
 * rollback); schedules and triggers on "latest" follow it.
 *
 * @param triggers the triggers the release's definition declares ({@code triggers:}, topics still
 *     relative to the environment), empty when it declares none; null from an orchestrator that
 *     predates declared triggers, which leaves the declared triggers as they are
 */
public record PipelineReleased(
    String environment,
    String pipeline,
    String releaseId,
    String digest,
    String bundleDigest,
    List<TriggerSpec> triggers)
    implements Event {

  /** A release announced without declared triggers (null: leave them as they are). */
  public PipelineReleased(
      String environment, String pipeline, String releaseId, String digest, String bundleDigest) {
    this(environment, pipeline, releaseId, digest, bundleDigest, null);
  }
}
