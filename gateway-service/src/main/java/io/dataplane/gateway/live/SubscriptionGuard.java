package io.dataplane.gateway.live;

import io.dataplane.gateway.error.ApiError;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The open subscriptions and their limits: at most {@code maxPerCaller} at once per caller, each
 * ended at {@code maxLifetime} (the client subscribes again, and is authorized again) or when the
 * caller's credential expires, and each re-authorized by {@link #sweep} with {@code recheck=true}
 * (at an interval, and at once when role bindings or keys change). Plain Java: the clock is passed
 * in.
 */
public final class SubscriptionGuard {

  /**
   * Authorizes the subscription again; throws (FORBIDDEN, NOT_FOUND, ...) when it may no longer.
   */
  public interface Recheck {
    void run();
  }

  /** One open subscription. */
  public final class Handle {
    private final String caller;
    private final Instant lifetimeEnd;
    private final Instant credentialEnd;
    private final Recheck recheck;
    private final Consumer<Throwable> end;
    private volatile boolean closed;

    private Handle(
        String caller,
        Instant lifetimeEnd,
        Instant credentialEnd,
        Recheck recheck,
        Consumer<Throwable> end) {
      this.caller = caller;
      this.lifetimeEnd = lifetimeEnd;
      this.credentialEnd = credentialEnd;
      this.recheck = recheck;
      this.end = end;
    }

    /** Forgets the subscription (it ended on its own); idempotent. */
    public void close() {
      if (closed) {
        return;
      }
      closed = true;
      Set<Handle> mine = open.get(caller);
      if (mine != null) {
        mine.remove(this);
        open.computeIfPresent(caller, (k, v) -> v.isEmpty() ? null : v);
      }
    }

    private void endWith(Throwable why) {
      close();
      end.accept(why);
    }
  }

  private final int maxPerCaller;
  private final Duration maxLifetime;
  private final Map<String, Set<Handle>> open = new ConcurrentHashMap<>();

  public SubscriptionGuard(int maxPerCaller, Duration maxLifetime) {
    this.maxPerCaller = maxPerCaller;
    this.maxLifetime = maxLifetime;
  }

  /**
   * Registers a subscription already authorized once; {@code end} is called with null (complete:
   * lifetime reached) or the error that ends it. Fails with RATE_LIMITED when the caller has too
   * many open.
   */
  public Handle open(
      String caller,
      Instant now,
      Instant credentialExpiry,
      Recheck recheck,
      Consumer<Throwable> end) {
    Handle h = new Handle(caller, now.plus(maxLifetime), credentialExpiry, recheck, end);
    boolean[] admitted = {false};
    open.compute(
        caller,
        (k, v) -> {
          Set<Handle> set = v == null ? ConcurrentHashMap.newKeySet() : v;
          if (set.size() < maxPerCaller) {
            set.add(h);
            admitted[0] = true;
          }
          return set.isEmpty() ? null : set;
        });
    if (!admitted[0]) {
      throw new ApiError.RateLimited(
          "at most " + maxPerCaller + " subscriptions at once; close one first");
    }
    return h;
  }

  /** Open subscriptions of one caller. */
  public int count(String caller) {
    Set<Handle> mine = open.get(caller);
    return mine == null ? 0 : mine.size();
  }

  /** Open subscriptions in all. */
  public int total() {
    return open.values().stream().mapToInt(Set::size).sum();
  }

  /**
   * Ends subscriptions past their lifetime or credential and, with {@code recheck}, those whose
   * caller may no longer see what they watch. Returns how many ended.
   */
  public int sweep(Instant now, boolean recheck) {
    int ended = 0;
    for (Set<Handle> set : open.values()) {
      for (Handle h : set) {
        if (h.closed) {
          continue;
        }
        if (h.credentialEnd != null && !now.isBefore(h.credentialEnd)) {
          h.endWith(new ApiError.Unauthenticated("the token expired; subscribe again"));
          ended++;
        } else if (!now.isBefore(h.lifetimeEnd)) {
          h.endWith(null);
          ended++;
        } else if (recheck) {
          try {
            h.recheck.run();
          } catch (RuntimeException e) {
            h.endWith(e);
            ended++;
          }
        }
      }
    }
    return ended;
  }
}
