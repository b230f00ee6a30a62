package io.dataplane.cli.plan;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.IOException;
import java.nio.file.Path;

/** Reads and writes plan files (JSON). */
public final class PlanFile {

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .build();

  private PlanFile() {}

  public static void write(Plan plan, Path file) throws IOException {
    JSON.writeValue(file.toFile(), plan);
  }

  public static Plan read(Path file) throws IOException {
    Plan p;
    try {
      p = JSON.readValue(file.toFile(), Plan.class);
    } catch (IOException e) {
      throw new IOException(
          file
              + " is not a plan file: "
              + (e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                  ? j.getOriginalMessage()
                  : e.getMessage()),
          e);
    }
    if (p.format() != Plan.FORMAT || p.environment() == null || p.changes() == null) {
      throw new IOException(
          file + " is not a plan file of this version (format " + p.format() + ")");
    }
    return p;
  }

  public static ObjectMapper mapper() {
    return JSON;
  }
}
