package io.dataplane.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class AttemptStateTest {

  @Test
  void onlyDispatchedClaimedAndRunningAreActive() {
    assertThat(EnumSet.allOf(AttemptState.class).stream().filter(AttemptState::isActive))
        .containsExactly(AttemptState.DISPATCHED, AttemptState.CLAIMED, AttemptState.RUNNING);
  }

  @Test
  void theHappyPathIsAllowed() {
    assertThat(AttemptState.DISPATCHED.moveTo(AttemptState.CLAIMED))
        .isEqualTo(AttemptState.CLAIMED);
    assertThat(AttemptState.CLAIMED.moveTo(AttemptState.RUNNING)).isEqualTo(AttemptState.RUNNING);
    assertThat(AttemptState.RUNNING.moveTo(AttemptState.SUCCEEDED))
        .isEqualTo(AttemptState.SUCCEEDED);
  }

  @Test
  void aStartMayOvertakeItsClaimAndComeTwice() {
    assertThat(AttemptState.DISPATCHED.allows(AttemptState.RUNNING)).isTrue();
    assertThat(AttemptState.RUNNING.allows(AttemptState.RUNNING)).isTrue();
  }

  @Test
  void anAttemptIsClaimedOnceAndNeverGoesBack() {
    assertThat(AttemptState.CLAIMED.allows(AttemptState.CLAIMED)).isFalse();
    assertThat(AttemptState.RUNNING.allows(AttemptState.CLAIMED)).isFalse();
    assertThat(AttemptState.CLAIMED.allows(AttemptState.DISPATCHED)).isFalse();
    assertThat(AttemptState.DISPATCHED.allows(AttemptState.DISPATCHED)).isFalse();
  }

  @Test
  void anyActiveAttemptMayEndAnyWay() {
    for (AttemptState from : EnumSet.of(AttemptState.DISPATCHED, AttemptState.CLAIMED)) {
      for (AttemptState to : EnumSet.complementOf(EnumSet.of(AttemptState.DISPATCHED))) {
        if (!to.isActive()) {
          assertThat(from.allows(to)).as("%s -> %s", from, to).isTrue();
        }
      }
    }
  }

  @Test
  void anEndedAttemptNeverMovesAgain() {
    for (AttemptState from : AttemptState.values()) {
      if (from.isActive()) {
        continue;
      }
      for (AttemptState to : AttemptState.values()) {
        assertThat(from.allows(to)).as("%s -> %s", from, to).isFalse();
      }
    }
    assertThatThrownBy(() -> AttemptState.LOST.moveTo(AttemptState.SUCCEEDED))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("LOST to SUCCEEDED");
  }
}
