package io.dataplane.worker.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class SlotsTest {

  @Test
  void handsOutEachSlotOnceUntilItComesBack() {
    Slots slots = new Slots(3);
    Set<Integer> taken = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      taken.add(slots.reserve());
    }
    assertThat(taken).containsExactlyInAnyOrder(0, 1, 2);
    assertThat(slots.reserve()).isEqualTo(-1);
    assertThat(slots.free()).isZero();
    slots.release(1);
    assertThat(slots.free()).isEqualTo(1);
    assertThat(slots.reserve()).isEqualTo(1);
  }

  @Test
  void aSlotGivenBackTwiceIsRefused() {
    // a double release would let two attempts share a slot (and a uid)
    Slots slots = new Slots(2);
    int s = slots.reserve();
    slots.release(s);
    assertThatThrownBy(() -> slots.release(s)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> slots.release(7)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> slots.release(-1)).isInstanceOf(IllegalArgumentException.class);
    assertThat(slots.free()).isEqualTo(2);
  }

  @Test
  void aWaiterWakesWhenASlotComesBack() throws Exception {
    Slots slots = new Slots(1);
    int s = slots.reserve();
    assertThat(slots.awaitFree(Duration.ofMillis(20))).isFalse();
    CompletableFuture<Boolean> waiter =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return slots.awaitFree(Duration.ofSeconds(30));
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    slots.release(s);
    await().atMost(Duration.ofSeconds(5)).until(waiter::isDone);
    assertThat(waiter.get()).isTrue();
  }

  @Test
  void aReservationWaitsForTheNextSlotAndADrainEndsTheWait() throws Exception {
    // two dispatch consumers saw the last slot free; the one that lost it waits for the next
    Slots slots = new Slots(1);
    int s = slots.reserve();
    assertThat(slots.reserve(Duration.ofMillis(20))).isEqualTo(-1);
    CompletableFuture<Integer> waiter = reserveAsync(slots, Duration.ofSeconds(30));
    slots.release(s);
    await().atMost(Duration.ofSeconds(5)).until(waiter::isDone);
    assertThat(waiter.get()).isEqualTo(s);
    assertThat(slots.free()).isZero();

    CompletableFuture<Integer> draining = reserveAsync(slots, Duration.ofSeconds(30));
    slots.drain();
    await().atMost(Duration.ofSeconds(5)).until(draining::isDone);
    assertThat(draining.get()).isEqualTo(-1);
  }

  private static CompletableFuture<Integer> reserveAsync(Slots slots, Duration timeout) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return slots.reserve(timeout);
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
        });
  }

  @Test
  void aDrainingWorkerHandsOutNothing() throws Exception {
    Slots slots = new Slots(2);
    int s = slots.reserve();
    slots.drain();
    assertThat(slots.reserve()).isEqualTo(-1);
    assertThat(slots.free()).isEqualTo(1);
    assertThat(slots.awaitFree(Duration.ofMillis(20))).isFalse();
    slots.release(s); // an attempt that ends while draining still gives its slot back
    assertThat(slots.reserve()).isEqualTo(-1);
  }

  @Test
  void theDefaultIsFourSlotsPerCore() {
    assertThat(Slots.count(0, 2)).isEqualTo(8);
    assertThat(Slots.count(-3, 8)).isEqualTo(32);
    assertThat(Slots.count(5, 2)).isEqualTo(5);
    assertThat(Slots.count(0, 0)).isEqualTo(4);
    assertThatThrownBy(() -> new Slots(0)).isInstanceOf(IllegalArgumentException.class);
  }
}
