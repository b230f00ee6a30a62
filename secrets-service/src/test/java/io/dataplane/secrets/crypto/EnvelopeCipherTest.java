package io.dataplane.secrets.crypto;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class EnvelopeCipherTest {

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final SecretIdentity ID = new SecretIdentity("dev", "DB_PASSWORD", 1);
  private static final byte[] VALUE = "s3cr3t-value".getBytes(StandardCharsets.UTF_8);

  private static byte[] key() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return k;
  }

  private final byte[] k1 = key();
  private final byte[] k2 = key();
  private final AtomicReference<KeyRing> ring =
      new AtomicReference<>(KeyRing.of(Map.of("v1", k1), "v1"));
  private final EnvelopeCipher cipher = new EnvelopeCipher(ring::get, RANDOM);

  @Test
  void sealsAndOpensUnderTheActiveMasterKey() throws Exception {
    Sealed sealed = cipher.seal(ID, VALUE);

    assertThat(sealed.masterKeyVersion()).isEqualTo("v1");
    assertThat(sealed.ciphertext()).hasSize(12 + VALUE.length + 16);
    assertThat(sealed.wrappedKey()).hasSize(12 + 32 + 16);
    assertThat(cipher.open(ID, sealed)).isEqualTo(VALUE);
  }

  @Test
  void everySealUsesAFreshDataKeyAndNonce() {
    Set<String> nonces = new HashSet<>();
    Set<String> wrapped = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      Sealed s = cipher.seal(ID, VALUE);
      nonces.add(Arrays.toString(Arrays.copyOf(s.ciphertext(), 12)));
      wrapped.add(Arrays.toString(s.wrappedKey()));
    }
    assertThat(nonces).hasSize(200);
    assertThat(wrapped).hasSize(200);
  }

  @Test
  void ciphertextDoesNotContainThePlaintext() {
    Sealed s = cipher.seal(ID, VALUE);
    assertThat(indexOf(s.ciphertext(), VALUE)).isEqualTo(-1);
  }

  @Test
  void bytesMovedToAnotherIdentityDoNotOpen() {
    Sealed sealed = cipher.seal(ID, VALUE);

    for (SecretIdentity other :
        new SecretIdentity[] {
          new SecretIdentity("prod", "DB_PASSWORD", 1),
          new SecretIdentity("dev", "OTHER", 1),
          new SecretIdentity("dev", "DB_PASSWORD", 2)
        }) {
      assertThatThrownBy(() -> cipher.open(other, sealed))
          .isInstanceOf(DecryptionException.class)
          .hasMessageNotContaining("s3cr3t");
    }
  }

  @Test
  void aValueMovedUnderAnotherSecretsDataKeyDoesNotOpen() {
    SecretIdentity other = new SecretIdentity("dev", "OTHER", 1);
    Sealed a = cipher.seal(ID, VALUE);
    Sealed b = cipher.seal(other, "x".getBytes(StandardCharsets.UTF_8));

    // b's wrapped key is genuine for b, but a's ciphertext was sealed under another data key
    Sealed swapped = new Sealed(a.ciphertext(), b.wrappedKey(), b.masterKeyVersion());
    assertThatThrownBy(() -> cipher.open(other, swapped)).isInstanceOf(DecryptionException.class);
  }

  @Test
  void aFlippedBitIsDetected() {
    Sealed s = cipher.seal(ID, VALUE);
    byte[] ct = s.ciphertext().clone();
    ct[ct.length - 20] ^= 1;
    assertThatThrownBy(() -> cipher.open(ID, new Sealed(ct, s.wrappedKey(), "v1")))
        .isInstanceOf(DecryptionException.class);

    byte[] wk = s.wrappedKey().clone();
    wk[15] ^= 1;
    assertThatThrownBy(() -> cipher.open(ID, new Sealed(s.ciphertext(), wk, "v1")))
        .isInstanceOf(DecryptionException.class);
  }

  @Test
  void aWrappedKeyRelabelledWithAnotherMasterVersionDoesNotOpen() {
    ring.set(KeyRing.of(Map.of("v1", k1, "v2", k1), "v1"));
    Sealed s = cipher.seal(ID, VALUE);
    // same key material under another label: the version is part of the associated data
    assertThatThrownBy(() -> cipher.open(ID, new Sealed(s.ciphertext(), s.wrappedKey(), "v2")))
        .isInstanceOf(DecryptionException.class);
  }

  @Test
  void rewrapMovesTheDataKeyToTheActiveVersionAndKeepsTheCiphertext() throws Exception {
    Sealed old = cipher.seal(ID, VALUE);
    ring.set(KeyRing.of(Map.of("v1", k1, "v2", k2), "v2"));

    Sealed moved = cipher.rewrap(ID, old);

    assertThat(moved.masterKeyVersion()).isEqualTo("v2");
    assertThat(moved.ciphertext()).isEqualTo(old.ciphertext());
    assertThat(cipher.open(ID, moved)).isEqualTo(VALUE);
    assertThat(cipher.open(ID, old)).isEqualTo(VALUE);
    assertThat(cipher.rewrap(ID, moved)).isSameAs(moved);

    ring.set(KeyRing.of(Map.of("v2", k2), "v2"));
    assertThat(cipher.open(ID, moved)).isEqualTo(VALUE);
    assertThatThrownBy(() -> cipher.open(ID, old))
        .isInstanceOf(UnknownMasterKeyException.class)
        .hasMessageContaining("v1");
  }

  @Test
  void rewrapRefusesDataThatDoesNotOpen() {
    Sealed s = cipher.seal(ID, VALUE);
    ring.set(KeyRing.of(Map.of("v1", k1, "v2", k2), "v2"));
    SecretIdentity other = new SecretIdentity("dev", "OTHER", 1);
    assertThatThrownBy(() -> cipher.rewrap(other, s)).isInstanceOf(DecryptionException.class);
  }

  @Test
  void aWrongMasterKeyWithTheSameVersionNameDoesNotOpen() {
    Sealed s = cipher.seal(ID, VALUE);
    ring.set(KeyRing.of(Map.of("v1", k2), "v1"));
    assertThatThrownBy(() -> cipher.open(ID, s)).isInstanceOf(DecryptionException.class);
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
