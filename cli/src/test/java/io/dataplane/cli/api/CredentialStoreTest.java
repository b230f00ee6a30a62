package io.dataplane.cli.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CredentialStoreTest {

  @TempDir Path home;

  @Test
  void theRefreshTokenIsStoredReadableByTheUserAlone() throws Exception {
    Path dir = home.resolve("config/dataplane");
    CredentialStore store = new CredentialStore(dir);
    store.save("http://gw", "http://idp/token", "dataplane-cli", "refresh-1");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())))
        .isEqualTo("rw-------");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)))
        .isEqualTo("rwx------");
    assertThat(Files.readString(store.file())).contains("refresh-1", "http://idp/token");

    store.save("http://other", "http://idp/token", "dataplane-cli", "refresh-2");
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(store.file())))
        .isEqualTo("rw-------");
    assertThat(store.remove("http://gw")).isTrue();
    assertThat(Files.readString(store.file())).doesNotContain("refresh-1").contains("refresh-2");
    try (var s = Files.list(dir)) {
      assertThat(s.map(p -> p.getFileName().toString())).containsExactly("credentials.json");
    }
  }

  @Test
  void aServerNobodySignedInToHasNoToken() throws Exception {
    assertThat(new CredentialStore(home).accessToken("http://gw")).isNull();
  }
}
