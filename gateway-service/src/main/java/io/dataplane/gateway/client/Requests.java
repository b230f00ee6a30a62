package io.dataplane.gateway.client;

import java.util.List;
import java.util.Map;

/** Bodies the gateway sends to the services. */
public final class Requests {

  private Requests() {}

  public record NewEnvironment(String name, String description) {}

  public record LogRetention(Integer retentionDays, Long maxBytesPerRun) {}

  public record NewWorkerGroup(String name, String description) {}

  public record NewRelease(String bundleDigest) {}

  public record Rollback(String releaseId) {}

  public record Description(String description) {}

  public record Promotion(String targetEnvironment, Map<String, String> workerGroupMap) {}

  public record NewRun(
      Map<String, Object> params, String requestId, String releaseId, String trigger) {}

  public record Rerun(String requestId) {}

  public record SecretValue(String value) {}

  public record Grants(List<String> pipelines, List<String> workerGroups) {}

  public record FileMove(String from, String to) {}
}
