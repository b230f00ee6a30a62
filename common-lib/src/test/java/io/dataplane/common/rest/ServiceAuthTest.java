package io.dataplane.common.rest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceAuthTest {

  static final String GATEWAY_OLD = "gateway-token-old-0123456789";
  static final String GATEWAY_NEW = "gateway-token-new-0123456789";
  static final String WORKER = "worker-token-0123456789";

  static ServiceCredentials creds(Map<String, String> props) {
    return ServiceCredentials.load(k -> Optional.ofNullable(props.get(k)));
  }

  @Test
  void eachTokenNamesItsCallerAndBothTokensOfARotationWork() {
    ServiceCredentials c =
        creds(
            Map.of(
                "DATAPLANE_SERVICE_TOKENS_GATEWAY",
                GATEWAY_NEW + "," + GATEWAY_OLD,
                "dataplane.service-auth.tokens.worker",
                WORKER));
    assertThat(c.authenticate("Bearer " + GATEWAY_OLD))
        .map(ServiceCredentials.Caller::name)
        .contains("gateway");
    assertThat(c.authenticate("bearer " + GATEWAY_NEW))
        .map(ServiceCredentials.Caller::name)
        .contains("gateway");
    assertThat(c.authenticate("Bearer " + WORKER))
        .map(ServiceCredentials.Caller::name)
        .contains("worker");
    assertThat(c.authenticate("Bearer " + WORKER + "x")).isEmpty();
    assertThat(c.authenticate(WORKER)).isEmpty();
    assertThat(c.authenticate(null)).isEmpty();
    assertThat(c.tokenOf("gateway")).contains(GATEWAY_NEW);
    assertThat(c.tokenOf("scheduler")).isEmpty();
  }

  @Test
  void aWorkerHoldsOnlyItsOwnScopes() {
    ServiceCredentials.Caller worker =
        creds(Map.of("DATAPLANE_SERVICE_TOKENS_WORKER", WORKER))
            .authenticate("Bearer " + WORKER)
            .orElseThrow();
    assertThat(worker.may(ServiceCredentials.ATTEMPTS_CLAIM)).isTrue();
    assertThat(worker.may(ServiceCredentials.SECRETS_RESOLVE)).isTrue();
    assertThat(worker.may(ServiceCredentials.BUNDLES_READ)).isTrue();
    assertThat(worker.may(ServiceCredentials.ALL)).isFalse();
    assertThat(worker.may(ServiceCredentials.SECRETS_NAMES)).isFalse();
    assertThat(worker.mayNameActor()).isFalse();
  }

  @Test
  void shortOrSharedTokensAreConfigurationErrors() {
    assertThatThrownBy(() -> creds(Map.of("DATAPLANE_SERVICE_TOKENS_GATEWAY", "short")))
        .isInstanceOf(ServiceCredentials.InvalidException.class)
        .hasMessageContaining("shorter");
    assertThatThrownBy(
            () ->
                creds(
                    Map.of(
                        "DATAPLANE_SERVICE_TOKENS_GATEWAY", WORKER,
                        "DATAPLANE_SERVICE_TOKENS_WORKER", WORKER)))
        .isInstanceOf(ServiceCredentials.InvalidException.class)
        .hasMessageContaining("two callers");
  }

  // --- the filter's rule ----------------------------------------------------------------------

  static ServiceAuth.Filter filter(Map<String, String> props) {
    ServiceAuth.Filter f = new ServiceAuth.Filter();
    f.loader = () -> ServiceAuth.Settings.load(true, k -> Optional.ofNullable(props.get(k)));
    return f;
  }

  static ServiceAuth.Decision call(ServiceAuth.Filter f, String token, String actor, String scope) {
    return ServiceAuth.decide(
        f.settings(), "/api/v1/things", token == null ? null : "Bearer " + token, actor, scope);
  }

  @Test
  void aTooShortTokenIsRefusedOnEveryRequestNotOnlyTheFirst() {
    ServiceAuth.Filter f = filter(Map.of("DATAPLANE_SERVICE_TOKENS_GATEWAY", "abc"));
    for (int i = 0; i < 3; i++) {
      assertThat(call(f, "abc", null, ServiceCredentials.ALL).status())
          .as("request %d", i)
          .isEqualTo(500);
    }
  }

  @Test
  void withoutAnyTokenEveryCallIsRefused() {
    ServiceAuth.Filter f = filter(Map.of());
    assertThat(call(f, "", null, ServiceCredentials.ALL).status()).isEqualTo(500);
    assertThat(call(f, null, null, ServiceCredentials.ALL).status()).isEqualTo(500);
  }

  @Test
  void onlyTheGatewayMayNameAnActorOrCallUnscopedEndpoints() {
    ServiceAuth.Filter f =
        filter(
            Map.of(
                "DATAPLANE_SERVICE_TOKENS_GATEWAY",
                GATEWAY_NEW + "," + GATEWAY_OLD,
                "DATAPLANE_SERVICE_TOKENS_WORKER",
                WORKER));
    assertThat(call(f, GATEWAY_NEW, "alice", ServiceCredentials.ALL).status()).isZero();
    assertThat(call(f, GATEWAY_OLD, "alice", ServiceCredentials.ALL).status()).isZero();
    assertThat(call(f, WORKER, null, ServiceCredentials.ALL).status()).isEqualTo(403);
    assertThat(call(f, WORKER, null, ServiceCredentials.SECRETS_NAMES).status()).isEqualTo(403);
    ServiceAuth.Decision resolve = call(f, WORKER, null, ServiceCredentials.SECRETS_RESOLVE);
    assertThat(resolve.status()).isZero();
    assertThat(resolve.caller().name()).isEqualTo("worker");
    assertThat(call(f, WORKER, "alice", ServiceCredentials.SECRETS_RESOLVE).status())
        .isEqualTo(403);
    assertThat(call(f, "not-a-known-token-0123456789", null, ServiceCredentials.ALL).status())
        .isEqualTo(401);
    assertThat(
            ServiceAuth.decide(f.settings(), "/q/health", null, null, ServiceCredentials.ALL)
                .status())
        .isZero();
  }
}
