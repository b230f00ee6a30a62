package io.dataplane.scheduler.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class TriggerGraphTest {

  @Test
  void aChainIsFine() {
    assertThat(
            TriggerGraph.cycle(
                List.of(new TriggerGraph.Edge("a", "b")), new TriggerGraph.Edge("b", "c")))
        .isEmpty();
  }

  @Test
  void closingALoopIsFoundWithItsPath() {
    assertThat(
            TriggerGraph.cycle(
                List.of(new TriggerGraph.Edge("a", "b"), new TriggerGraph.Edge("b", "c")),
                new TriggerGraph.Edge("c", "a")))
        .contains(List.of("c", "a", "b", "c"));
  }

  @Test
  void aSelfLoopIsALoop() {
    assertThat(TriggerGraph.cycle(List.of(), new TriggerGraph.Edge("a", "a")))
        .contains(List.of("a", "a"));
  }
}
