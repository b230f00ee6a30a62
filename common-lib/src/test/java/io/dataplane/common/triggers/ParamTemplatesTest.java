package io.dataplane.common.triggers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParamTemplatesTest {

  private static final Map<String, Object> CONTEXT =
      Map.of(
          "upstream",
          Map.of(
              "runId",
              "r1",
              "outputs",
              Map.of(
                  "extract", Map.of("day", "2026-12-06", "rows", 42, "files", List.of("a", "b")))));

  @Test
  void rendersDottedNamesThroughMapsAndLists() {
    Map<String, Object> out =
        ParamTemplates.render(
            Map.of(
                "day", "{{ upstream.outputs.extract.day }}",
                "label",
                    "rows={{upstream.outputs.extract.rows}} first={{upstream.outputs.extract.files.0}}",
                "literal", 7),
            CONTEXT);
    assertThat(out)
        .containsEntry("day", "2026-12-06")
        .containsEntry("label", "rows=42 first=a")
        .containsEntry("literal", 7);
  }

  @Test
  void nothingIsHtmlEscaped() {
    assertThat(
            ParamTemplates.render(
                Map.of("q", "{{ body.q }}"), Map.of("body", Map.of("q", "a<b&'c'"))))
        .containsEntry("q", "a<b&'c'");
  }

  @Test
  void aMissingNameIsAnErrorNotAnEmptyString() {
    assertThatThrownBy(
            () -> ParamTemplates.render(Map.of("day", "{{ upstream.outputs.load.day }}"), CONTEXT))
        .isInstanceOf(ParamTemplates.TemplateException.class)
        .hasMessageContaining("params.day")
        .hasMessageContaining("upstream.outputs.load.day");
  }

  @Test
  void javaMethodsAreNotReachable() {
    assertThatThrownBy(
            () ->
                ParamTemplates.render(
                    Map.of("x", "{{ upstream.runId.class.classLoader }}"), CONTEXT))
        .isInstanceOf(ParamTemplates.TemplateException.class);
  }

  @Test
  void syntaxErrorsAndPartialsAreRefusedAtCheck() {
    assertThatThrownBy(() -> ParamTemplates.check(Map.of("day", "{{#upstream}} unclosed")))
        .isInstanceOf(ParamTemplates.TemplateException.class)
        .hasMessageContaining("params.day");
    assertThatThrownBy(() -> ParamTemplates.check(Map.of("p", "{{> /etc/passwd }}")))
        .isInstanceOf(ParamTemplates.TemplateException.class);
  }

  @Test
  void aNulCharacterIsRefusedInRenderedValuesAndInKeys() {
    assertThatThrownBy(
            () ->
                ParamTemplates.render(
                    Map.of("x", "{{ body.v }}"), Map.of("body", Map.of("v", "a\0b"))))
        .hasMessageContaining("NUL");
    assertThatThrownBy(() -> ParamTemplates.requireNoNul("params", Map.of("k\0", "v")))
        .hasMessageContaining("NUL")
        .hasMessageNotContaining("\0");
  }
}
