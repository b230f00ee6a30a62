package io.dataplane.gateway.graphql;

import io.dataplane.gateway.applylock.ApplyLocks;
import io.dataplane.gateway.error.ApiError;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.Permission;
import io.smallrye.common.annotation.Blocking;
import java.time.Duration;
import java.time.Instant;
import org.eclipse.microprofile.graphql.DefaultValue;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;

/** The apply lock of an environment: what keeps two {@code dataplane apply} from interleaving. */
@GraphQLApi
@Blocking
public class ApplyLockGraphQLApi {

  private final Guard guard;
  private final ApplyLocks locks;

  public ApplyLockGraphQLApi(Guard guard, ApplyLocks locks) {
    this.guard = guard;
    this.locks = locks;
  }

  /** An environment's apply lock as the API shows it; the token only to whoever took it. */
  @Description("An environment's apply lock: who holds it (owner, holder label) and until when")
  public record ApplyLock(
      String environment,
      @Description("the signed-in user or API key owner who took it") String owner,
      @Description("what the owner said it is (host, CI job)") String holder,
      Instant acquiredAt,
      Instant expiresAt,
      @Description("releases the lock early: in the answer that took it only") String token) {

    static ApplyLock of(ApplyLocks.Held h, boolean withToken) {
      return new ApplyLock(
          h.environment(),
          h.owner(),
          h.holder(),
          Instant.ofEpochMilli(h.acquiredAtMs()),
          Instant.ofEpochMilli(h.expiresAtMs()),
          withToken ? h.token() : null);
    }
  }

  @Query("applyLock")
  @Description("Who holds an environment's apply lock (null: nobody)")
  public ApplyLock applyLock(@NonNull String environment) {
    Inputs.check().name("environment", environment).orFail();
    guard.require(Permission.READ, environment, null, "applyLock");
    ApplyLocks.Held h = locks.current(environment);
    return h == null ? null : ApplyLock.of(h, false);
  }

  @Mutation("acquireApplyLock")
  @Description(
      "Takes an environment's apply lock for ttlSeconds (at most 3600), or renews it with the"
          + " token of the current holder; CONFLICT naming the holder when someone else has it"
          + " (write on the environment)")
  public ApplyLock acquireApplyLock(
      @NonNull String environment,
      String holder,
      @DefaultValue("600") int ttlSeconds,
      String token) {
    Inputs.check()
        .name("environment", environment)
        .maxLength("holder", holder, 200)
        .maxLength("token", token, 100)
        .orFail();
    if (ttlSeconds < 1 || ttlSeconds > ApplyLocks.MAX_TTL.toSeconds()) {
      throw ApiError.invalid("ttlSeconds", "between 1 and " + ApplyLocks.MAX_TTL.toSeconds());
    }
    Caller c = guard.require(Permission.WRITE, environment, null, "acquireApplyLock");
    return guard.mutation(
        c,
        "acquireApplyLock",
        "apply lock " + environment,
        environment,
        holder,
        () -> {
          ApplyLocks.Attempt a =
              locks.acquire(environment, c.actor(), holder, Duration.ofSeconds(ttlSeconds), token);
          if (!a.acquired()) {
            ApplyLocks.Held h = a.lock();
            throw ApiError.of(
                "CONFLICT",
                "the apply lock of "
                    + environment
                    + " is held by "
                    + h.owner()
                    + (h.holder() == null ? "" : " (" + h.holder() + ")")
                    + " until "
                    + Instant.ofEpochMilli(h.expiresAtMs()),
                java.util.List.of());
          }
          return ApplyLock.of(a.lock(), true);
        });
  }

  @Mutation("releaseApplyLock")
  @Description("Releases an environment's apply lock early (the token its taker got)")
  public boolean releaseApplyLock(@NonNull String environment, @NonNull String token) {
    Inputs.check().name("environment", environment).maxLength("token", token, 100).orFail();
    Caller c = guard.require(Permission.WRITE, environment, null, "releaseApplyLock");
    return guard.mutation(
        c,
        "releaseApplyLock",
        "apply lock " + environment,
        environment,
        null,
        () -> locks.release(environment, token));
  }
}
