package io.dataplane.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** helm lint --strict, and values.schema.json refusing wrong values before anything renders. */
class ValuesSchemaTest {

  @Test
  void lintsCleanInStrictMode() {
    LintResult result = new Helm(Chart.chartDir()).lint().strict().call();
    assertThat(result.isFailed()).as("%s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .noneMatch(m -> m.startsWith("[WARNING]") || m.startsWith("[ERROR]"));
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource({
    "wrong-type.yaml, /scheduler/replicaCount",
    "unknown-key.yaml, replicas",
    "bad-sandbox.yaml, /workers/sandbox",
    "bad-group-name.yaml, /workers/groups/0/name",
    "group-without-environment.yaml, environment",
    "no-master-key.yaml, /keys/masterKeys",
    "no-limits.yaml, limits",
    "bad-quantity.yaml, /workers/defaults/scratch/sizeLimit",
  })
  void rejectsWrongValues(String file, String where) {
    assertThatThrownBy(() -> Chart.renderText(List.of(Chart.valuesFile(file)), Map.of()))
        .hasMessageContaining("schema")
        .hasMessageContaining(where);
  }

  @Test
  void rejectsAWrongTypeGivenOnTheCommandLine() {
    assertThatThrownBy(() -> Chart.renderWith(Map.of("logging.json", "yes")))
        .hasMessageContaining("/logging/json");
  }

  @Test
  void acceptsTheValuesItShips() {
    assertThat(Chart.render().objects()).isNotEmpty();
    assertThat(Chart.render("ha-values.yaml").objects()).isNotEmpty();
    assertThat(Chart.render("minimal-values.yaml").objects()).isNotEmpty();
  }
}
