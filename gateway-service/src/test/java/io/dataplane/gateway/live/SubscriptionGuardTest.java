package io.dataplane.gateway.live;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dataplane.gateway.error.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The subscription limits, without Quarkus: count per caller, lifetime, token expiry, re-check. */
class SubscriptionGuardTest {

  private final Instant t0 = Instant.parse("2026-12-07T00:00:00Z");

  @Test
  void aCallerHasAtMostSoManyOpenAndClosingOneMakesRoom() {
    SubscriptionGuard g = new SubscriptionGuard(2, Duration.ofHours(1));
    var a = g.open("user:a", t0, null, () -> {}, e -> {});
    g.open("user:a", t0, null, () -> {}, e -> {});
    assertThatThrownBy(() -> g.open("user:a", t0, null, () -> {}, e -> {}))
        .isInstanceOf(ApiError.RateLimited.class);
    g.open("user:b", t0, null, () -> {}, e -> {});
    a.close();
    a.close();
    assertThat(g.count("user:a")).isEqualTo(1);
    g.open("user:a", t0, null, () -> {}, e -> {});
    assertThat(g.total()).isEqualTo(3);
  }

  @Test
  void aSubscriptionEndsAtItsLifetimeOrItsTokensExpiry() {
    SubscriptionGuard g = new SubscriptionGuard(10, Duration.ofMinutes(30));
    List<Throwable> ends = new ArrayList<>();
    AtomicBoolean completed = new AtomicBoolean();
    g.open("user:a", t0, null, () -> {}, e -> completed.set(e == null));
    g.open("user:b", t0, t0.plusSeconds(60), () -> {}, ends::add);
    assertThat(g.sweep(t0.plusSeconds(59), false)).isZero();
    assertThat(g.sweep(t0.plusSeconds(60), false)).isEqualTo(1);
    assertThat(ends).singleElement().isInstanceOf(ApiError.Unauthenticated.class);
    assertThat(g.sweep(t0.plus(Duration.ofMinutes(30)), false)).isEqualTo(1);
    assertThat(completed).isTrue();
    assertThat(g.total()).isZero();
  }

  @Test
  void aFailedRecheckEndsTheSubscriptionWithItsError() {
    SubscriptionGuard g = new SubscriptionGuard(10, Duration.ofHours(1));
    AtomicBoolean allowed = new AtomicBoolean(true);
    List<Throwable> ends = new ArrayList<>();
    g.open(
        "user:a",
        t0,
        null,
        () -> {
          if (!allowed.get()) {
            throw new ApiError.Forbidden("not allowed: needs read");
          }
        },
        ends::add);
    assertThat(g.sweep(t0.plusSeconds(1), true)).isZero();
    allowed.set(false);
    // no re-check asked: the subscription stays until the next one
    assertThat(g.sweep(t0.plusSeconds(2), false)).isZero();
    assertThat(g.sweep(t0.plusSeconds(3), true)).isEqualTo(1);
    assertThat(ends).singleElement().isInstanceOf(ApiError.Forbidden.class);
    assertThat(g.count("user:a")).isZero();
  }
}
