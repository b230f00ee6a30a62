package io.dataplane.cli.project;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class YamlDocumentTest {

  static final String DEF =
      """
      description: x
      tasks:
        - key: a
          runtime: bash
          script: echo a
        - key: b
          runtime: ruby
          dependsOn: [a, ghost]
      """;

  @Test
  void theServersPathsHaveTheirLines() throws Exception {
    YamlDocument d = YamlDocument.parse(DEF);
    assertThat(d.lineOf("tasks[1].runtime")).isEqualTo(7);
    assertThat(d.lineOf("tasks[1].dependsOn[1]")).isEqualTo(8);
    assertThat(d.lineOf("tasks[0].key")).isEqualTo(3);
    assertThat(d.lineOf("description")).isEqualTo(1);
  }

  @Test
  void aMissingFieldIsShownWhereItsParentIs() throws Exception {
    YamlDocument d = YamlDocument.parse(DEF);
    assertThat(d.lineOf("tasks[1].entrypoint")).isEqualTo(6);
    assertThat(d.lineOf("concurrency.max")).isEqualTo(1);
    assertThat(d.lineOf(null)).isEqualTo(1);
  }

  @Test
  void aSyntaxErrorHasItsLine() {
    assertThatThrownBy(() -> YamlDocument.parse("a: 1\nb: [unclosed\nc: 3\n"))
        .isInstanceOfSatisfying(
            YamlDocument.SyntaxException.class, e -> assertThat(e.line()).isBetween(2, 4));
  }

  @Test
  void aKeyGivenTwiceIsASyntaxErrorAtItsLine() {
    assertThatThrownBy(() -> YamlDocument.parse("a: 1\nb: 2\na: 3\n"))
        .isInstanceOfSatisfying(
            YamlDocument.SyntaxException.class,
            e -> {
              assertThat(e.line()).isEqualTo(3);
              assertThat(e.getMessage()).contains("'a'");
            });
  }

  @Test
  void aBillionLaughsDocumentDoesNotBlowUp() {
    StringBuilder b =
        new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (int i = 0; i < 9; i++) {
      char prev = (char) ('a' + i);
      char next = (char) ('a' + i + 1);
      b.append(next).append(": &").append(next).append(" [");
      for (int j = 0; j < 9; j++) {
        b.append(j == 0 ? "" : ",").append('*').append(prev);
      }
      b.append("]\n");
    }
    // aliases are not expanded into 9^10 nodes: parsed (or refused) at once, in little memory
    org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
        java.time.Duration.ofSeconds(5),
        () -> {
          try {
            YamlDocument.parse(b.toString());
          } catch (YamlDocument.SyntaxException e) {
            // refused: as good
          }
        });
  }
}
