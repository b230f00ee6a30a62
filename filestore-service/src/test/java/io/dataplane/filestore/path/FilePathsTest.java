package io.dataplane.filestore.path;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class FilePathsTest {

  @ParameterizedTest
  @ValueSource(
      strings = {
        "main.py",
        "jobs/extract/run.sh",
        ".env.example",
        "..hidden",
        "a..b/c",
        "dir with spaces/ünïcode ✓.txt",
        "C:not-a-drive-here"
      })
  void acceptsRelativeSlashSeparatedNames(String path) {
    assertThat(FilePaths.problem(path)).isEmpty();
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "../x|'..'",
        "a/../../x|'..'",
        "a/..|'..'",
        "/etc/passwd|absolute",
        "a//b|empty segment",
        "a/|empty segment",
        "./a|'.'",
        "a\\b|backslash",
      })
  void refusesEscapesAndOddShapes(String path, String expected) {
    assertThat(FilePaths.problem(path)).get().asString().contains(expected);
  }

  @Test
  void refusesEmptyNulAndControlCharacters() {
    assertThat(FilePaths.problem("")).get().asString().contains("empty");
    assertThat(FilePaths.problem(null)).get().asString().contains("empty");
    assertThat(FilePaths.problem("a\0b")).get().asString().contains("NUL");
    assertThat(FilePaths.problem("a\nb")).get().asString().contains("U+000A");
    assertThat(FilePaths.problem("a\u007fb")).get().asString().contains("U+007F");
    assertThat(FilePaths.problem("a\u0085b")).get().asString().contains("U+0085");
    assertThat(FilePaths.problem("bad\uFFFDutf8")).get().asString().contains("UTF-8");
  }

  @Test
  void namesAreLimitedTo255BytesOfUtf8() {
    assertThat(FilePaths.problem("d/" + "x".repeat(255))).isEmpty();
    assertThat(FilePaths.problem("d/" + "x".repeat(256))).get().asString().contains("256 bytes");
    // 128 two-byte characters: 128 characters, 256 bytes
    assertThat(FilePaths.problem("é".repeat(128))).get().asString().contains("255 bytes");
    assertThat(FilePaths.problem(("a".repeat(200) + "/").repeat(21) + "z"))
        .get()
        .asString()
        .contains("4096 bytes");
  }

  @Test
  void scopeNames() {
    assertThat(FilePaths.validName("dev")).isTrue();
    assertThat(FilePaths.validName("etl_daily-2.v1")).isTrue();
    assertThat(FilePaths.validName("-x")).isFalse();
    assertThat(FilePaths.validName("a b")).isFalse();
    assertThat(FilePaths.validName("a/b")).isFalse();
    assertThat(FilePaths.validName("")).isFalse();
    assertThat(FilePaths.validName("x".repeat(129))).isFalse();
  }
}
