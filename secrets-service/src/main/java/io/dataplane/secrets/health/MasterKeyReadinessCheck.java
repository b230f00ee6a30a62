package io.dataplane.secrets.health;

import io.dataplane.secrets.crypto.KeyRing;
import io.dataplane.secrets.service.MasterKeyProvider;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready only with a usable master key ring (reports versions, never material). */
@Readiness
@ApplicationScoped
public class MasterKeyReadinessCheck implements HealthCheck {

  private final MasterKeyProvider keys;

  public MasterKeyReadinessCheck(MasterKeyProvider keys) {
    this.keys = keys;
  }

  @Override
  public HealthCheckResponse call() {
    try {
      KeyRing ring = keys.current();
      return HealthCheckResponse.named("master-keys")
          .up()
          .withData("active", ring.active())
          .withData("versions", String.join(",", ring.versions()))
          .build();
    } catch (RuntimeException e) {
      return HealthCheckResponse.named("master-keys")
          .down()
          .withData("error", String.valueOf(e.getMessage()))
          .build();
    }
  }
}
