package io.dataplane.secrets.crypto;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.function.Supplier;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Envelope encryption: every secret version gets a fresh random 256-bit data key; the value is
 * sealed with AES-256-GCM under it (fresh 96-bit nonce, associated data = environment, name and
 * version); the data key is wrapped with AES-256-GCM under a master key version, with the same
 * identity and the master key version as associated data. Master keys never leave the {@link
 * KeyRing}; data keys live only for the duration of one call and are zeroed afterwards.
 */
public final class EnvelopeCipher {

  static final int NONCE_BYTES = 12;
  static final int TAG_BITS = 128;

  private final Supplier<KeyRing> ring;
  private final SecureRandom random;

  /**
   * @param ring the current key ring (read on every call, so a reload takes effect at once)
   */
  public EnvelopeCipher(Supplier<KeyRing> ring, SecureRandom random) {
    this.ring = ring;
    this.random = random;
  }

  /** Seals a value for {@code id} under a new data key wrapped by the active master key. */
  public Sealed seal(SecretIdentity id, byte[] plaintext) {
    KeyRing r = ring.get();
    String mkv = r.active();
    byte[] dataKey = new byte[KeyRing.KEY_BYTES];
    random.nextBytes(dataKey);
    try {
      byte[] ciphertext = encrypt(new SecretKeySpec(dataKey, "AES"), plaintext, id.valueAad());
      byte[] wrapped = encrypt(r.key(mkv).orElseThrow(), dataKey, id.dataKeyAad(mkv));
      return new Sealed(ciphertext, wrapped, mkv);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /** Opens a sealed value; fails if any byte, the identity or the master key does not match. */
  public byte[] open(SecretIdentity id, Sealed sealed)
      throws DecryptionException, UnknownMasterKeyException {
    byte[] dataKey = unwrap(id, sealed);
    try {
      return decrypt(new SecretKeySpec(dataKey, "AES"), sealed.ciphertext(), id.valueAad());
    } catch (DecryptionException e) {
      throw new DecryptionException(
          "the value of " + describe(id) + " does not decrypt (tampered or moved)");
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  /**
   * Re-wraps the data key under the active master key; the value's ciphertext is unchanged. Returns
   * {@code sealed} itself when it is already wrapped by the active version.
   */
  public Sealed rewrap(SecretIdentity id, Sealed sealed)
      throws DecryptionException, UnknownMasterKeyException {
    KeyRing r = ring.get();
    String target = r.active();
    if (target.equals(sealed.masterKeyVersion())) {
      return sealed;
    }
    byte[] dataKey = unwrap(id, sealed);
    try {
      // prove the data key still opens the value before the old wrapping is replaced
      decrypt(new SecretKeySpec(dataKey, "AES"), sealed.ciphertext(), id.valueAad());
      byte[] wrapped = encrypt(r.key(target).orElseThrow(), dataKey, id.dataKeyAad(target));
      return new Sealed(sealed.ciphertext(), wrapped, target);
    } finally {
      Arrays.fill(dataKey, (byte) 0);
    }
  }

  private byte[] unwrap(SecretIdentity id, Sealed sealed)
      throws DecryptionException, UnknownMasterKeyException {
    String mkv = sealed.masterKeyVersion();
    SecretKey master = ring.get().key(mkv).orElseThrow(() -> new UnknownMasterKeyException(mkv));
    try {
      byte[] dataKey = decrypt(master, sealed.wrappedKey(), id.dataKeyAad(mkv));
      if (dataKey.length != KeyRing.KEY_BYTES) {
        throw new DecryptionException("data key of " + describe(id) + " has the wrong length");
      }
      return dataKey;
    } catch (DecryptionException e) {
      throw new DecryptionException(
          "the data key of " + describe(id) + " does not unwrap with master key " + mkv);
    }
  }

  private byte[] encrypt(SecretKey key, byte[] plaintext, byte[] aad) {
    byte[] nonce = new byte[NONCE_BYTES];
    random.nextBytes(nonce);
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, nonce));
      c.updateAAD(aad);
      byte[] ct = c.doFinal(plaintext);
      return ByteBuffer.allocate(NONCE_BYTES + ct.length).put(nonce).put(ct).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("AES-GCM unavailable", e);
    }
  }

  private static byte[] decrypt(SecretKey key, byte[] sealed, byte[] aad)
      throws DecryptionException {
    if (sealed == null || sealed.length < NONCE_BYTES + TAG_BITS / 8) {
      throw new DecryptionException("sealed bytes are too short");
    }
    try {
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, sealed, 0, NONCE_BYTES));
      c.updateAAD(aad);
      return c.doFinal(sealed, NONCE_BYTES, sealed.length - NONCE_BYTES);
    } catch (AEADBadTagException e) {
      throw new DecryptionException("authentication tag mismatch");
    } catch (GeneralSecurityException e) {
      throw new DecryptionException("decryption failed", e);
    }
  }

  private static String describe(SecretIdentity id) {
    return id.environment() + "/" + id.name() + " v" + id.version();
  }
}
