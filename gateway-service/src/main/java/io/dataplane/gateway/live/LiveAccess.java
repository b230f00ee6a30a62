package io.dataplane.gateway.live;

import io.dataplane.gateway.config.GatewayConfig;
import io.dataplane.gateway.error.ApiError;
import io.dataplane.gateway.security.ApiKeyService;
import io.dataplane.gateway.security.Caller;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.quarkus.scheduler.Scheduled.ConcurrentExecution;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.function.Consumer;

/**
 * Keeps subscriptions authorized while they last ({@link SubscriptionGuard}): a one-second tick
 * ends those past their lifetime or token, every {@code live.recheck-interval} each is authorized
 * again, and a change of role bindings or API keys on this instance re-checks them all at once.
 */
@ApplicationScoped
public class LiveAccess {

  private final GatewayConfig config;
  private final ApiKeyService keys;
  private final Vertx vertx;
  private final MeterRegistry meters;
  private final SubscriptionGuard guard;
  private volatile Instant nextRecheck = Instant.now();

  public LiveAccess(GatewayConfig config, ApiKeyService keys, Vertx vertx, MeterRegistry meters) {
    this.config = config;
    this.keys = keys;
    this.vertx = vertx;
    this.meters = meters;
    this.guard =
        new SubscriptionGuard(
            config.live().maxSubscriptionsPerCaller(), config.live().maxLifetime());
  }

  /** The one-second tick (a worker thread of the Quarkus scheduler). */
  @Scheduled(
      identity = "gateway-live-access",
      every = "1s",
      concurrentExecution = ConcurrentExecution.SKIP)
  void tick() {
    sweep(false);
  }

  /** Registers an authorized subscription; RATE_LIMITED when its caller has too many open. */
  public SubscriptionGuard.Handle open(
      Caller caller,
      Instant credentialExpiry,
      Consumer<Caller> authorize,
      Consumer<Throwable> end) {
    return guard.open(
        caller.rateKey(),
        Instant.now(),
        credentialExpiry,
        () -> authorize.accept(current(caller)),
        end);
  }

  /** Role bindings or API keys changed: every subscription is authorized again, now. */
  public void accessChanged() {
    vertx.executeBlocking(
        () -> {
          sweep(true);
          return null;
        },
        true);
  }

  /** The caller as they are now: a key re-read (revoked, expired, its owner's current rights). */
  private Caller current(Caller caller) {
    if (!caller.viaApiKey()) {
      return caller;
    }
    return keys.current(caller.apiKeyId())
        .orElseThrow(() -> new ApiError.Unauthenticated("the API key was revoked or expired"));
  }

  private void sweep(boolean forceRecheck) {
    Instant now = Instant.now();
    boolean recheck = forceRecheck || !now.isBefore(nextRecheck);
    if (recheck) {
      nextRecheck = now.plus(config.live().recheckInterval());
    }
    int ended = guard.sweep(now, recheck);
    if (ended > 0) {
      meters.counter("dataplane.gateway.subscriptions.ended").increment(ended);
      Log.debugf("%d subscription(s) ended by their limits or a re-check", ended);
    }
  }
}
