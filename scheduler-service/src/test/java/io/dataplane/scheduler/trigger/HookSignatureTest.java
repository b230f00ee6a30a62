package io.dataplane.scheduler.trigger;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class HookSignatureTest {

  @Test
  void tokensCompareByHash() {
    String hash = HookSignature.tokenHash("dph_secret");
    assertThat(hash).doesNotContain("dph_secret");
    assertThat(HookSignature.tokenMatches("dph_secret", hash)).isTrue();
    assertThat(HookSignature.tokenMatches("dph_secreT", hash)).isFalse();
    assertThat(HookSignature.tokenMatches(null, hash)).isFalse();
    assertThat(HookSignature.tokenMatches("dph_secret", "not-hex")).isFalse();
  }

  @Test
  void onlyAWellFormedSha256HeaderParses() {
    String hex = "a".repeat(64);
    assertThat(HookSignature.parseSignatureHeader("sha256=" + hex)).hasSize(32);
    assertThat(HookSignature.parseSignatureHeader("sha1=" + "a".repeat(40))).isNull();
    assertThat(HookSignature.parseSignatureHeader("sha256=" + "z".repeat(64))).isNull();
    assertThat(HookSignature.parseSignatureHeader("sha256=abc")).isNull();
    assertThat(HookSignature.parseSignatureHeader(null)).isNull();
  }
}
