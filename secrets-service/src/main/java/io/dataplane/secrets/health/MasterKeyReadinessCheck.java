package io.dataplane.secrets.health;

import io.dataplane.secrets.crypto.KeyRing;
import io.dataplane.secrets.service.MasterKeyProvider;
import io.dataplane.secrets.service.RotationService;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only with a usable master key ring (reports versions, never material). */
@Readiness
@ApplicationScoped
public class MasterKeyReadinessCheck implements HealthCheck {

  private final MasterKeyProvider keys;
  private final RotationService rotation;

  public MasterKeyReadinessCheck(MasterKeyProvider keys, RotationService rotation) {
    this.keys = keys;
    this.rotation = rotation;
  }

  @Override
  public HealthCheckResponse call() {
    try {
      KeyRing ring = keys.current();
      HealthCheckResponseBuilder b =
          HealthCheckResponse.named("master-keys")
              .up()
              .withData("active", ring.active())
              .withData("versions", String.join(",", ring.versions()));
      // still ready (the other secrets read fine), but say loudly what cannot be read
      rotation
          .missingVersions()
          .forEach((v, n) -> b.withData("notConfigured." + v, n + " data keys"));
      return b.build();
    } catch (RuntimeException e) {
      return HealthCheckResponse.named("master-keys")
          .down()
          .withData("error", String.valueOf(e.getMessage()))
          .build();
    }
  }
}
