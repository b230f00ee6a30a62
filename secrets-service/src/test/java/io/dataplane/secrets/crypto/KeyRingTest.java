package io.dataplane.secrets.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyRingTest {

  private static final String K1 = Base64.getEncoder().encodeToString(bytes(1));
  private static final String K2 = Base64.getEncoder().encodeToString(bytes(2));

  private static byte[] bytes(int seed) {
    byte[] b = new byte[32];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (seed * 31 + i * 7);
    }
    return b;
  }

  @Test
  void holdsSeveralVersionsWithOneActive() {
    KeyRing ring = KeyRing.of(KeyRing.decode(Map.of("v1", K1, "v2", K2)), "v2");
    assertThat(ring.active()).isEqualTo("v2");
    assertThat(ring.versions()).containsExactly("v1", "v2");
    assertThat(ring.holds("v1")).isTrue();
    assertThat(ring.toString()).doesNotContain(K1).doesNotContain(K2);
  }

  @Test
  void refusesBadConfiguration() {
    assertThatThrownBy(() -> KeyRing.of(Map.of(), "v1")).hasMessageContaining("no master key");
    assertThatThrownBy(() -> KeyRing.of(KeyRing.decode(Map.of("v1", K1)), "v2"))
        .hasMessageContaining("'v2' is not among");
    assertThatThrownBy(() -> KeyRing.of(KeyRing.decode(Map.of("v1", K1)), null))
        .hasMessageContaining("no active");
    assertThatThrownBy(() -> KeyRing.of(Map.of("v1", new byte[16]), "v1"))
        .hasMessageContaining("must be 32 bytes");
    assertThatThrownBy(() -> KeyRing.of(Map.of("v1", new byte[32]), "v1"))
        .hasMessageContaining("not random");
    assertThatThrownBy(() -> KeyRing.decode(Map.of("V 1", K1)))
        .hasMessageContaining("invalid master key version");
    assertThatThrownBy(() -> KeyRing.decode(Map.of("v1", "not base64!")))
        .hasMessageContaining("not valid base64")
        .hasMessageNotContaining("not base64!");
  }

  @Test
  void readsAMountedDirectoryLikeAKubernetesSecret(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("v1"), K1 + "\n");
    Files.writeString(dir.resolve("v2"), K2);
    Files.writeString(dir.resolve("active"), "v2\n");
    Files.createDirectory(dir.resolve("..2026_11_22"));
    Files.writeString(dir.resolve("..data"), "ignored");
    Files.writeString(dir.resolve("README.txt"), "ignored: not a version name");

    MasterKeyDirectory.Content content = MasterKeyDirectory.read(dir);

    assertThat(content.base64ByVersion()).containsOnlyKeys("v1", "v2");
    assertThat(content.active()).contains("v2");
    KeyRing ring = KeyRing.of(KeyRing.decode(content.base64ByVersion()), content.active().get());
    assertThat(ring.active()).isEqualTo("v2");
  }

  @Test
  void aMissingDirectoryIsAnError(@TempDir Path dir) {
    assertThatThrownBy(() -> MasterKeyDirectory.read(dir.resolve("nope")))
        .hasMessageContaining("does not exist");
  }

  @Test
  void comparesRings() {
    KeyRing a = KeyRing.of(KeyRing.decode(Map.of("v1", K1, "v2", K2)), "v2");
    assertThat(a.sameAs(KeyRing.of(KeyRing.decode(Map.of("v1", K1, "v2", K2)), "v2"))).isTrue();
    assertThat(a.sameAs(KeyRing.of(KeyRing.decode(Map.of("v1", K1, "v2", K2)), "v1"))).isFalse();
    assertThat(a.sameAs(KeyRing.of(KeyRing.decode(Map.of("v1", K2, "v2", K2)), "v2"))).isFalse();
  }
}
