package io.dataplane.orchestrator.dag;

import io.dataplane.orchestrator.dag.PipelineDefinition.Param;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Checks a run's params against the pipeline's declared params and fills in defaults. */
public final class ParamChecker {

  private ParamChecker() {}

  /** The resolved params and every problem found (path {@code params.<name>}). */
  public record Result(Map<String, Object> params, List<ValidationError> errors) {}

  public static Result check(Map<String, Param> declared, Map<String, Object> given) {
    Map<String, Object> in = given == null ? Map.of() : given;
    List<ValidationError> errors = new ArrayList<>();
    Map<String, Object> out = new TreeMap<>();
    for (Map.Entry<String, Object> e : in.entrySet()) {
      Param p = declared.get(e.getKey());
      if (p == null) {
        errors.add(
            new ValidationError(
                "params." + e.getKey(),
                ValidationError.UNKNOWN_PARAM,
                "the pipeline has no param '" + e.getKey() + "'"));
        continue;
      }
      if (e.getValue() == null) {
        continue;
      }
      String problem = typeProblem(p.type(), e.getValue());
      if (problem != null) {
        errors.add(
            new ValidationError("params." + e.getKey(), ValidationError.INVALID_TYPE, problem));
      } else {
        out.put(e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<String, Param> e : declared.entrySet()) {
      if (in.get(e.getKey()) != null) {
        continue;
      }
      if (e.getValue().defaultValue() != null) {
        out.put(e.getKey(), e.getValue().defaultValue());
      } else if (e.getValue().required()) {
        errors.add(
            new ValidationError(
                "params." + e.getKey(),
                ValidationError.REQUIRED,
                "param '" + e.getKey() + "' is required"));
      }
    }
    return new Result(out, errors);
  }

  /** Why {@code value} is not of {@code type}, or null when it is. */
  public static String typeProblem(String type, Object value) {
    boolean ok =
        switch (type) {
          case "string" -> value instanceof String;
          case "integer" ->
              value instanceof Integer
                  || value instanceof Long
                  || value instanceof Short
                  || value instanceof BigInteger;
          case "number" -> value instanceof Number || value instanceof BigDecimal;
          case "boolean" -> value instanceof Boolean;
          case "object" -> value instanceof Map;
          case "array" -> value instanceof List;
          default -> false;
        };
    return ok ? null : "expected a value of type " + type;
  }
}
