package io.dataplane.filestore.config;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * The reactive client's URL, derived from the JDBC URL that Flyway uses, so that a deployment keeps
 * configuring one database URL ({@code QUARKUS_DATASOURCE_JDBC_URL}). An explicit {@code
 * quarkus.datasource.reactive.url} wins: this source has the lowest ordinal.
 */
public class ReactiveUrl implements ConfigSourceFactory {

  static final String JDBC = "quarkus.datasource.jdbc.url";
  static final String REACTIVE = "quarkus.datasource.reactive.url";

  @Override
  public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
    ConfigValue jdbc = context.getValue(JDBC);
    Optional<String> url =
        jdbc == null || jdbc.getValue() == null ? Optional.empty() : fromJdbc(jdbc.getValue());
    return url.<Iterable<ConfigSource>>map(
            u -> List.of(new PropertiesConfigSource(Map.of(REACTIVE, u), "reactive-url", 1)))
        .orElse(List.of());
  }

  /**
   * {@code jdbc:postgresql://host:port/db?currentSchema=s&...} as {@code
   * postgresql://host:port/db?search_path=s}: the schema and {@code sslmode} carry over; the JDBC
   * driver's own options (timeouts) do not exist in the reactive client and are dropped.
   */
  public static Optional<String> fromJdbc(String jdbcUrl) {
    String prefix = "jdbc:postgresql://";
    if (!jdbcUrl.startsWith(prefix)) {
      return Optional.empty();
    }
    String rest = jdbcUrl.substring(prefix.length());
    int q = rest.indexOf('?');
    String base = q < 0 ? rest : rest.substring(0, q);
    List<String> kept = new ArrayList<>();
    if (q >= 0) {
      for (String param : rest.substring(q + 1).split("&")) {
        int eq = param.indexOf('=');
        String name = eq < 0 ? param : param.substring(0, eq);
        String value = eq < 0 ? "" : param.substring(eq + 1);
        if (name.equals("currentSchema")) {
          kept.add("search_path=" + value);
        } else if (name.equals("sslmode")) {
          kept.add("sslmode=" + value);
        }
      }
    }
    return Optional.of(
        "postgresql://" + base + (kept.isEmpty() ? "" : "?" + String.join("&", kept)));
  }
}
