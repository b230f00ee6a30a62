package io.dataplane.scheduler.notify;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class UrlGuardTest {

  /** Names resolve through this map only: no DNS in a unit test. */
  private static UrlGuard guard(List<String> allow) {
    Map<String, String> dns =
        Map.of(
            "hooks.example.com", "93.184.216.34",
            "rebind.example.com", "10.1.2.3",
            "metadata.google.internal", "169.254.169.254",
            "smtp.internal", "10.20.0.5",
            "localhost", "127.0.0.1");
    return new UrlGuard(
        allow,
        h -> {
          try {
            if (dns.containsKey(h)) {
              return new InetAddress[] {InetAddress.getByName(dns.get(h))};
            }
            if (Character.isDigit(h.charAt(0)) || h.contains(":")) {
              return InetAddress.getAllByName(h); // a literal: no lookup
            }
            return new InetAddress[0];
          } catch (Exception e) {
            return new InetAddress[0];
          }
        });
  }

  @Test
  void publicAddressesPass() {
    assertThatCode(() -> guard(List.of()).checkUrl("https://hooks.example.com/x?y=1", "url"))
        .doesNotThrowAnyException();
    assertThatCode(() -> guard(List.of()).checkUrl("http://93.184.216.34:8443/", "url"))
        .doesNotThrowAnyException();
  }

  @Test
  void internalAddressesAreRefused() {
    UrlGuard g = guard(List.of());
    for (String url :
        List.of(
            "http://127.0.0.1:8084/",
            "http://localhost:8081/",
            "http://169.254.169.254/latest/meta-data/",
            "http://metadata.google.internal/computeMetadata/v1/",
            "http://10.0.0.1/",
            "http://172.16.5.4/",
            "http://192.168.1.1/",
            "http://100.64.0.1/",
            "http://0.0.0.0/",
            "http://[::1]/",
            "http://[fe80::1]/",
            "http://[fd00::1]/",
            "http://[::ffff:127.0.0.1]/",
            "http://rebind.example.com/",
            "http://unknown.invalid/",
            "http://user:pw@hooks.example.com/",
            "ftp://hooks.example.com/",
            "file:///etc/passwd",
            "not a url")) {
      assertThatThrownBy(() -> g.checkUrl(url, "the webhook URL"))
          .as(url)
          .isInstanceOf(UrlGuard.RefusedException.class)
          .hasMessageStartingWith("the webhook URL");
    }
  }

  @Test
  void anOperatorAllowListOpensHostsAndBlocks() throws Exception {
    UrlGuard g = guard(List.of("smtp.internal", "127.0.0.1/32", "fd00::/8"));
    g.checkHost("smtp.internal", "smtp");
    g.checkUrl("http://127.0.0.1:9000/", "url");
    g.checkUrl("http://[fd00::5]/", "url");
    assertThatThrownBy(() -> g.checkUrl("http://127.0.0.2/", "url"))
        .isInstanceOf(UrlGuard.RefusedException.class)
        .hasMessageContaining("allowed-hosts");
    assertThatThrownBy(() -> g.checkHost("10.20.0.5", "smtp"))
        .isInstanceOf(UrlGuard.RefusedException.class);
  }

  @Test
  void aBadAllowListEntryIsAConfigurationError() {
    assertThatThrownBy(() -> new UrlGuard(List.of("10.0.0.0/40")))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theReasonNeverHoldsTheUrlsPath() {
    assertThatThrownBy(
            () -> guard(List.of()).checkUrl("http://10.0.0.1/services/T0/B0/secret-token", "slack"))
        .hasMessageNotContaining("secret-token");
  }
}
