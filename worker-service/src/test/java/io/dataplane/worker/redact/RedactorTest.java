package io.dataplane.worker.redact;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RedactorTest {

  private static final String SECRET = "s3cr3t/v@lue+\"x\" ok";
  private final Redactor redactor = Redactor.of(List.of(SECRET));

  @Test
  void masksTheRawValue() {
    assertThat(redactor.redact("token=" + SECRET + " end")).isEqualTo("token=*** end");
    assertThat(redactor.redactions()).isEqualTo(1);
  }

  @Test
  void masksBase64InEveryAlignment() {
    for (String prefix : List.of("", "a", "ab", "abc", "abcd")) {
      String encoded =
          Base64.getEncoder()
              .encodeToString((prefix + SECRET + "tail").getBytes(StandardCharsets.UTF_8));
      String out = redactor.redact("data: " + encoded);
      assertThat(out).as("alignment of prefix '%s'", prefix).contains(Redactor.MASK);
      byte[] secret = SECRET.getBytes(StandardCharsets.UTF_8);
      assertThat(out).doesNotContain(Redactor.base64Aligned(secret, prefix.getBytes().length % 3));
    }
  }

  @Test
  void masksUrlSafeBase64AndPaddedBase64() {
    String urlSafe = Base64.getUrlEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8));
    assertThat(redactor.redact(urlSafe)).contains(Redactor.MASK);
    String plain = Base64.getEncoder().encodeToString(SECRET.getBytes(StandardCharsets.UTF_8));
    assertThat(redactor.redact(plain)).startsWith(Redactor.MASK);
  }

  @Test
  void masksUrlEncodedForms() {
    String url = URLEncoder.encode(SECRET, StandardCharsets.UTF_8);
    assertThat(redactor.redact("?q=" + url)).isEqualTo("?q=***");
    assertThat(redactor.redact("?q=" + url.replace("+", "%20"))).isEqualTo("?q=***");
    assertThat(redactor.redact("?q=" + url.toLowerCase().replace("%2f", "%2f"))).contains("***");
  }

  @Test
  void masksPythonStyleQuotingAndAsciiOnlyJson() {
    // urllib.parse.quote keeps "/" and encodes space as %20
    assertThat(redactor.redact("u=s3cr3t/v%40lue%2B%22x%22%20ok")).isEqualTo("u=***");
    assertThat(redactor.redact("u=s3cr3t%2Fv%40lue%2B%22x%22%20ok")).isEqualTo("u=***");
    Redactor unicode = Redactor.of(List.of("pässwörd"));
    assertThat(unicode.redact("{\"p\": \"p\\u00e4ssw\\u00f6rd\"}")).isEqualTo("{\"p\": \"***\"}");
    assertThat(unicode.redact("p\\u00E4ssw\\u00F6rd")).isEqualTo("***");
  }

  @Test
  void masksPythonFormEncodingOfTildeAndStar() {
    // urllib.parse.quote_plus / urlencode keep "~" and escape "*", unlike Java's URLEncoder
    Redactor r = Redactor.of(List.of("a b~c*d/e"));
    assertThat(r.redact("q=a+b~c%2Ad%2Fe&x=1")).isEqualTo("q=***&x=1");
    assertThat(r.redact("q=a+b%7Ec*d%2Fe")).isEqualTo("q=***");
  }

  @Test
  void redactsOutputJson() throws Exception {
    ObjectMapper mapper = new ObjectMapper();
    Redactor r = Redactor.of(List.of(SECRET, "20260101"));
    JsonNode out =
        r.redact(
            mapper.readTree(
                mapper.writeValueAsString(
                    Map.of(
                        "plain",
                        SECRET,
                        "nested",
                        Map.of("list", List.of("token=" + SECRET + ";", 7)),
                        SECRET,
                        "as a key",
                        "number",
                        20260101L,
                        "hex",
                        HexFormat.of().formatHex(SECRET.getBytes(StandardCharsets.UTF_8)),
                        "rows",
                        42))));
    assertThat(out.path("plain").asText()).isEqualTo("***");
    assertThat(out.path("nested").path("list").get(0).asText()).isEqualTo("token=***;");
    assertThat(out.path("nested").path("list").get(1).asInt()).isEqualTo(7);
    assertThat(out.path("***").asText()).isEqualTo("as a key");
    assertThat(out.path("number").asText()).isEqualTo("***");
    assertThat(out.path("hex").asText()).isEqualTo("***");
    assertThat(out.path("rows").isInt()).isTrue();
    assertThat(mapper.writeValueAsString(out)).doesNotContain("s3cr3t").doesNotContain("20260101");
    JsonNode untouched = mapper.readTree("{\"a\": \"" + "x".repeat(10) + "\"}");
    assertThat(Redactor.none().redact(untouched)).isSameAs(untouched);
  }

  @Test
  void masksJsonEscapedForm() {
    String json = "{\"password\":\"s3cr3t/v@lue+\\\"x\\\" ok\"}";
    assertThat(redactor.redact(json)).isEqualTo("{\"password\":\"***\"}");
    String slashEscaped = "{\"p\":\"s3cr3t\\/v@lue+\\\"x\\\" ok\"}";
    assertThat(redactor.redact(slashEscaped)).isEqualTo("{\"p\":\"***\"}");
  }

  @Test
  void masksHexInBothCases() {
    String hex = HexFormat.of().formatHex(SECRET.getBytes(StandardCharsets.UTF_8));
    assertThat(redactor.redact("hex " + hex)).isEqualTo("hex ***");
    assertThat(redactor.redact("HEX " + hex.toUpperCase())).isEqualTo("HEX ***");
  }

  @Test
  void masksAValueSplitAcrossChunks() {
    for (int split = 1; split < SECRET.length(); split++) {
      Redactor.Stream s = redactor.stream();
      String first = s.feed("before " + SECRET.substring(0, split));
      String second = s.feed(SECRET.substring(split) + " after\n");
      String rest = s.flush();
      assertThat(first + second + rest).isEqualTo("before *** after\n");
      assertThat(first).doesNotContain(SECRET.substring(0, split));
    }
  }

  @Test
  void masksAnEncodedFormSplitAcrossChunks() {
    String hex = HexFormat.of().formatHex(SECRET.getBytes(StandardCharsets.UTF_8));
    Redactor.Stream s = redactor.stream();
    String out = s.feed("x" + hex.substring(0, 10)) + s.feed(hex.substring(10) + "y") + s.flush();
    assertThat(out).isEqualTo("x***y");
  }

  @Test
  void releasesAHeldBackPrefixThatTurnsOutHarmless() {
    Redactor.Stream s = redactor.stream();
    assertThat(s.feed("abc s3cr")).isEqualTo("abc ");
    assertThat(s.held()).isEqualTo(4);
    assertThat(s.feed("ew")).isEqualTo("s3crew");
    assertThat(s.flush()).isEmpty();
    Redactor.Stream t = redactor.stream();
    assertThat(t.feed("end s3c")).isEqualTo("end ");
    assertThat(t.flush()).isEqualTo("s3c");
  }

  @Test
  void leavesShortValuesAlone() {
    Redactor r = Redactor.of(List.of("abc", "no"));
    assertThat(r.isEmpty()).isTrue();
    assertThat(r.redact("abc no")).isEqualTo("abc no");
  }

  @Test
  void masksAFourCharacterValue() {
    Redactor r = Redactor.of(List.of("pass"));
    assertThat(r.redact("my pass is set")).isEqualTo("my *** is set");
  }

  @Test
  void passesTextWithoutSecretsThroughUnchanged() {
    Redactor.Stream s = redactor.stream();
    assertThat(s.feed("hello world\n")).isEqualTo("hello world\n");
    assertThat(Redactor.none().redact(SECRET)).isEqualTo(SECRET);
  }
}
