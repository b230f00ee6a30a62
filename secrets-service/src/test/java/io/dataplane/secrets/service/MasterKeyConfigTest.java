package io.dataplane.secrets.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import org.eclipse.microprofile.config.Config;
import org.junit.jupiter.api.Test;

class MasterKeyConfigTest {

  private static final String K1 = "H3qMET38eGbnjQbueZYzCjjobDAOYU6527XV5KzJ9pU=";
  private static final String K2 = "KXOBGnL5niDJlvje7n30PV7HJLgT+WxRrn+3Ir+LwUQ=";

  private static Config config(Map<String, String> properties) {
    return new SmallRyeConfigBuilder()
        .withSources(new PropertiesConfigSource(properties, "test", 100))
        .build();
  }

  @Test
  void readsPropertiesAndEnvironmentStyleNames() {
    Map<String, String> keys =
        MasterKeyProvider.fromConfig(
            config(
                Map.of(
                    "dataplane.secrets.master-keys.\"v1\"",
                    K1,
                    "DATAPLANE_SECRETS_MASTER_KEYS_V2",
                    K2,
                    // an unset placeholder is no key
                    "DATAPLANE_SECRETS_MASTER_KEYS_V3",
                    "",
                    "dataplane.secrets.master-key-dir",
                    "/etc/keys")));

    assertThat(keys).containsOnlyKeys("v1", "v2");
    assertThat(keys.get("v2")).isEqualTo(K2);
  }

  @Test
  void theSameVersionTwiceMustBeTheSameKey() {
    assertThat(
            MasterKeyProvider.fromConfig(
                config(
                    Map.of(
                        "dataplane.secrets.master-keys.v1", K1,
                        "DATAPLANE_SECRETS_MASTER_KEYS_V1", K1))))
        .containsOnlyKeys("v1");
    assertThatThrownBy(
            () ->
                MasterKeyProvider.fromConfig(
                    config(
                        Map.of(
                            "dataplane.secrets.master-keys.v1", K1,
                            "DATAPLANE_SECRETS_MASTER_KEYS_V1", K2))))
        .hasMessageContaining("'v1' is configured twice")
        .hasMessageNotContaining(K1)
        .hasMessageNotContaining(K2);
  }

  @Test
  void peeksTheEnvironmentOfAToken() {
    assertThat(
            ResolveService.peekEnvironment(
                "v1.k1."
                    + java.util.Base64.getUrlEncoder()
                        .withoutPadding()
                        .encodeToString("{\"environment\":\"prod\"}".getBytes())
                    + ".sig"))
        .isEqualTo("prod");
    assertThat(ResolveService.peekEnvironment("garbage")).isEmpty();
    assertThat(ResolveService.peekEnvironment("v1.k1.!!!.sig")).isEmpty();
  }
}
