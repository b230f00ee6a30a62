package io.dataplane.cli.plan;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/**
 * One step of a plan: create, update or delete an object ({@link StateObject} kinds), with the
 * lines a reviewer reads ({@code details}), the desired spec, the server id of the object it
 * changes and what applying needs (pipeline source, file content in base64).
 */
public record Change(
    String kind,
    String name,
    Action action,
    List<String> details,
    JsonNode spec,
    String remoteId,
    JsonNode payload) {

  /** What a change does. */
  public enum Action {
    CREATE("+"),
    UPDATE("~"),
    DELETE("-");

    public final String sign;

    Action(String sign) {
      this.sign = sign;
    }
  }

  public String key() {
    return kind + "/" + name;
  }

  public Change withPayload(JsonNode p) {
    return new Change(kind, name, action, details, spec, remoteId, p);
  }
}
