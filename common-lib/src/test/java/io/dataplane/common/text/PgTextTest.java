package io.dataplane.common.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PgTextTest {

  @Test
  void nulAndUnpairedSurrogatesAreReplacedPairsAreKept() {
    assertThat(PgText.clean("a\u0000b")).isEqualTo("a\uFFFDb");
    assertThat(PgText.clean("x\ud800")).isEqualTo("x\uFFFD");
    assertThat(PgText.clean("\udc00y")).isEqualTo("\uFFFDy");
    assertThat(PgText.clean("\ud83d\ude00 ok")).isEqualTo("\ud83d\ude00 ok");
    assertThat(PgText.clean(null)).isNull();
    String clean = "plain text";
    assertThat(PgText.clean(clean)).isSameAs(clean);
    assertThat(PgText.isClean("\ud800\ud800")).isFalse();
  }

  @Test
  void valuesAreCleanedDeeplyKeysIncludedAndCleanOnesAreKeptAsTheyAre() {
    Map<String, Object> in = new HashMap<>();
    in.put("k\u0000", List.of("v\u0000", 1, Map.of("n", "\ud800")));
    in.put("ok", true);
    Map<String, Object> out = PgText.cleanValue(in);
    assertThat(out)
        .containsEntry("k\uFFFD", List.of("v\uFFFD", 1, Map.of("n", "\uFFFD")))
        .containsEntry("ok", true);
    Map<String, Object> fine = Map.of("a", List.of("b", 2));
    assertThat(PgText.cleanValue(fine)).isSameAs(fine);
  }
}
