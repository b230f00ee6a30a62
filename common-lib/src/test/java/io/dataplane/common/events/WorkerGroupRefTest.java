package io.dataplane.common.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class WorkerGroupRefTest {

  @Test
  void parsesEnvironmentSlashGroup() {
    WorkerGroupRef ref = WorkerGroupRef.parse(" prod/etl ");
    assertThat(ref).isEqualTo(new WorkerGroupRef("prod", "etl"));
    assertThat(ref.toString()).isEqualTo("prod/etl");
    assertThat(ref.dispatchTopic()).isEqualTo("dataplane.task-dispatch.prod.etl");
  }

  @Test
  void refusesABareGroupWithAMessageThatShowsTheForm() {
    assertThatThrownBy(() -> WorkerGroupRef.parse("default"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("names no environment")
        .hasMessageContaining("prod/default");
  }

  @Test
  void refusesMalformedEntries() {
    for (String bad :
        new String[] {
          "", "/", "prod/", "/default", "prod/etl/x", "Prod/etl", "prod/e tl", "a.b/c"
        }) {
      assertThatThrownBy(() -> WorkerGroupRef.parse(bad))
          .as(bad)
          .isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void parseAllNamesEveryBadEntryAndDropsDuplicates() {
    assertThat(WorkerGroupRef.parseAll(List.of("prod/default", "prod/etl", "prod/default")))
        .extracting(WorkerGroupRef::toString)
        .containsExactly("prod/default", "prod/etl");
    assertThatThrownBy(() -> WorkerGroupRef.parseAll(List.of("default", "prod/ok", "x/y/z")))
        .hasMessageContaining("'default'")
        .hasMessageContaining("'x/y/z'");
    assertThatThrownBy(() -> WorkerGroupRef.parseAll(List.of()))
        .hasMessageContaining("no worker group");
  }
}
