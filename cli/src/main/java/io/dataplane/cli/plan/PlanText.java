package io.dataplane.cli.plan;

import java.util.ArrayList;
import java.util.List;

/** A plan printed the way a reviewer reads it. */
public final class PlanText {

  private PlanText() {}

  public static List<String> render(Plan plan) {
    List<String> out = new ArrayList<>();
    out.add("Environment " + plan.environment() + " at " + plan.server() + ":");
    if (plan.isEmpty()) {
      out.add("No changes: the environment matches the folder.");
      return out;
    }
    int create = 0;
    int update = 0;
    int delete = 0;
    for (Change c : plan.changes()) {
      String head = "  " + c.action().sign + " " + c.kind() + " " + c.name();
      switch (c.action()) {
        case CREATE -> create++;
        case UPDATE -> update++;
        case DELETE -> delete++;
      }
      if (c.action() == Change.Action.UPDATE) {
        out.add(head);
        c.details().forEach(d -> out.add("      " + d));
      } else {
        out.add(head + (c.details().isEmpty() ? "" : "  (" + String.join(", ", c.details()) + ")"));
      }
    }
    for (String p : plan.releases()) {
      out.add("  ^ release pipeline " + p);
    }
    out.add(
        String.format(
            "Plan: %d to create, %d to change, %d to delete, %d to release.",
            create, update, delete, plan.releases().size()));
    return out;
  }
}
