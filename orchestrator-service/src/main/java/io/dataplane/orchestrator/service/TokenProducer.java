package io.dataplane.orchestrator.service;

import io.dataplane.common.token.AttemptTokens;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/** The attempt-token signer, from {@code dataplane.attempt-token.key} (kid {@code k1}). */
@ApplicationScoped
public class TokenProducer {

  @Produces
  @ApplicationScoped
  AttemptTokens attemptTokens(@ConfigProperty(name = "dataplane.attempt-token.key") String key) {
    return AttemptTokens.fromBase64("k1", key);
  }
}
