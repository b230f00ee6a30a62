package io.dataplane.filestore.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReactiveUrlTest {

  @Test
  void theSchemaBecomesTheSearchPathAndJdbcOptionsAreDropped() {
    assertThat(
            ReactiveUrl.fromJdbc(
                "jdbc:postgresql://postgresql:5432/dataplane?currentSchema=filestore"
                    + "&connectTimeout=3&socketTimeout=30"))
        .contains("postgresql://postgresql:5432/dataplane?search_path=filestore");
  }

  @Test
  void sslModeCarriesOver() {
    assertThat(ReactiveUrl.fromJdbc("jdbc:postgresql://db/dp?sslmode=require"))
        .contains("postgresql://db/dp?sslmode=require");
    assertThat(ReactiveUrl.fromJdbc("jdbc:postgresql://db:5433/dp"))
        .contains("postgresql://db:5433/dp");
  }

  @Test
  void otherDatabasesAreNotGuessed() {
    assertThat(ReactiveUrl.fromJdbc("jdbc:h2:mem:test")).isEmpty();
  }
}
