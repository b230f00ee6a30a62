package io.dataplane.common.token;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dataplane.common.token.TokenRejectedException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class AttemptTokensTest {

  static final Instant NOW = Instant.parse("2026-11-22T12:00:00Z");
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  static final byte[] OTHER = "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.UTF_8);

  final AttemptTokens tokens =
      new AttemptTokens(Map.of("k1", KEY), "k1", Clock.fixed(NOW, ZoneOffset.UTC));

  static AttemptClaims claims(Instant expiry) {
    return new AttemptClaims(
        "dev",
        "etl",
        "default",
        UUID.randomUUID(),
        UUID.randomUUID(),
        1,
        List.of("DB_PASSWORD"),
        "sha256:abc",
        expiry);
  }

  Reason reasonOf(String token, String env) {
    try {
      tokens.verify(token, env);
    } catch (TokenRejectedException e) {
      return e.reason();
    }
    throw new AssertionError("token was accepted");
  }

  @Test
  void acceptsWhatItSigned() throws Exception {
    AttemptClaims c = claims(NOW.plusSeconds(60));
    assertThat(tokens.verify(tokens.sign(c), "dev")).isEqualTo(c);
  }

  @Test
  void verifiesWithAnOlderKeyAfterRotation() throws Exception {
    String old = tokens.sign(claims(NOW.plusSeconds(60)));
    AttemptTokens rotated =
        new AttemptTokens(Map.of("k1", KEY, "k2", OTHER), "k2", Clock.fixed(NOW, ZoneOffset.UTC));
    assertThat(rotated.verify(old, "dev").environment()).isEqualTo("dev");
    assertThat(rotated.sign(claims(NOW.plusSeconds(60)))).startsWith("v1.k2.");
  }

  @Test
  void rejectsExpired() {
    assertThat(reasonOf(tokens.sign(claims(NOW)), "dev")).isEqualTo(Reason.EXPIRED);
    assertThat(reasonOf(tokens.sign(claims(NOW.minusSeconds(1))), "dev")).isEqualTo(Reason.EXPIRED);
  }

  @Test
  void rejectsAnotherEnvironment() {
    assertThat(reasonOf(tokens.sign(claims(NOW.plusSeconds(60))), "prod"))
        .isEqualTo(Reason.WRONG_ENVIRONMENT);
  }

  @Test
  void rejectsATamperedClaim() {
    String token = tokens.sign(claims(NOW.plusSeconds(60)));
    String[] p = token.split("\\.");
    String json = new String(Base64.getUrlDecoder().decode(p[2]), StandardCharsets.UTF_8);
    String forged = json.replace("\"dev\"", "\"prod\"").replace("DB_PASSWORD", "ROOT_PASSWORD");
    assertThat(forged).isNotEqualTo(json);
    String tampered =
        p[0]
            + "."
            + p[1]
            + "."
            + Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(forged.getBytes(StandardCharsets.UTF_8))
            + "."
            + p[3];
    assertThat(reasonOf(tampered, "prod")).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsABadSignature() {
    String token = tokens.sign(claims(NOW.plusSeconds(60)));
    AttemptTokens forger =
        new AttemptTokens(Map.of("k1", OTHER), "k1", Clock.fixed(NOW, ZoneOffset.UTC));
    assertThat(reasonOf(forger.sign(claims(NOW.plusSeconds(60))), "dev"))
        .isEqualTo(Reason.BAD_SIGNATURE);
    String flipped = token.substring(0, token.length() - 2) + (token.endsWith("AA") ? "BB" : "AA");
    assertThat(reasonOf(flipped, "dev")).isEqualTo(Reason.BAD_SIGNATURE);
  }

  @Test
  void rejectsMalformedUnknownKeyAndVersion() {
    String token = tokens.sign(claims(NOW.plusSeconds(60)));
    assertThat(reasonOf("", "dev")).isEqualTo(Reason.MALFORMED);
    assertThat(reasonOf("a.b.c", "dev")).isEqualTo(Reason.MALFORMED);
    assertThat(reasonOf(token.replaceFirst("^v1\\.", "v9."), "dev"))
        .isEqualTo(Reason.UNSUPPORTED_VERSION);
    assertThat(reasonOf(token.replaceFirst("^v1\\.k1\\.", "v1.k7."), "dev"))
        .isEqualTo(Reason.UNKNOWN_KEY);
    assertThat(reasonOf(token.substring(0, token.lastIndexOf('.')) + ".!!!", "dev"))
        .isEqualTo(Reason.MALFORMED);
  }

  @Test
  void everyReasonIsDistinctAndCovered() {
    assertThat(Reason.values()).hasSize(6).doesNotHaveDuplicates();
  }

  @Test
  void refusesShortKeys() {
    assertThatThrownBy(() -> new AttemptTokens(Map.of("k", new byte[16]), "k", Clock.systemUTC()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("at least 32 bytes");
  }

  @Test
  void aTokenProvesOnlyItsOwnAttemptEvenAfterItExpired() {
    AttemptClaims c = claims(NOW.minusSeconds(60)); // expired: a late result still counts
    String token = tokens.sign(c);
    assertThat(tokens.proves(token, c.taskRunId(), 1)).isTrue();
    assertThat(tokens.proves(token, c.taskRunId(), 2)).isFalse();
    assertThat(tokens.proves(token, UUID.randomUUID(), 1)).isFalse();
    assertThat(tokens.proves(null, c.taskRunId(), 1)).isFalse();
    assertThat(tokens.proves(token.substring(0, token.length() - 2) + "xx", c.taskRunId(), 1))
        .isFalse();
    AttemptTokens forger =
        new AttemptTokens(Map.of("k1", OTHER), "k1", Clock.fixed(NOW, ZoneOffset.UTC));
    assertThat(tokens.proves(forger.sign(c), c.taskRunId(), 1)).isFalse();
  }
}
