package io.dataplane.cli.project;

import io.dataplane.cli.plan.EnvState;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The folder as read: its objects, the problems found offline, the environment it names (or null)
 * and each pipeline's parsed document (for mapping the server's paths to lines).
 */
public record LocalProject(
    Path root,
    EnvState state,
    List<Problem> problems,
    String environment,
    Map<String, PipelineSource> pipelines,
    Map<String, Where> where) {

  /**
   * Where something was written: a file of the folder and its line. Keys: an object's key ({@code
   * secretGrants/DB}), or the key and a field ({@code schedule/nightly#release}).
   */
  public record Where(String file, int line) {}

  /** A pipeline's definition file: where it is, its text and the parsed document. */
  public record PipelineSource(String file, String text, YamlDocument document) {}
}
