package io.dataplane.gateway.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Which paths a fresh browser load answers with the console (its pages' shareable URLs), and which
 * it leaves to the API. Plain: Quinoa is off under {@code @QuarkusTest}; system-tests'
 * ConsoleE2ETest loads these URLs in Chromium against the packaged gateway.
 */
class ConsolePagesTest {

  private static final Pattern PAGES = Pattern.compile(ConsoleRequestGuard.CONSOLE_PAGES);

  @Test
  void theConsolesPagesAreRoutedToTheConsole() {
    for (String p :
        new String[] {
          "/e",
          "/e/dev",
          "/e/dev/runs/3f2a?task=x".replaceFirst("\\?.*", ""),
          "/e/dev/pipelines/etl/files",
          "/account/api-keys",
          "/admin/role-bindings",
          "/admin/audit"
        }) {
      assertThat(PAGES.matcher(p).matches()).as(p).isTrue();
    }
  }

  @Test
  void theApiAndEverythingElseIsNot() {
    for (String p :
        new String[] {
          "/api/files/dev/etl/x.py",
          "/api-keys",
          "/graphql",
          "/auth/login",
          "/q/health",
          "/administrator",
          "/accounts",
          "/env",
          "/"
        }) {
      assertThat(PAGES.matcher(p).matches()).as(p).isFalse();
    }
  }
}
