package io.dataplane.common.token;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dataplane.common.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signs and verifies attempt tokens: {@code v1.<kid>.<base64url(claims JSON)>.<base64url(HMAC-
 * SHA256)>}. The signature covers everything before the last dot, so the key id and the version
 * cannot be swapped either. Several keys may be held for rotation; one signs.
 */
public final class AttemptTokens {

  static final String VERSION = "v1";
  private static final int MIN_KEY_BYTES = 32;
  private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
  private static final Base64.Decoder B64D = Base64.getUrlDecoder();

  private final Map<String, byte[]> keys;
  private final String signingKid;
  private final Clock clock;
  private final ObjectMapper mapper = Json.mapper();

  /**
   * @param keys key id → HMAC key (at least 32 bytes each)
   * @param signingKid the key that signs new tokens
   */
  public AttemptTokens(Map<String, byte[]> keys, String signingKid, Clock clock) {
    Objects.requireNonNull(signingKid, "signingKid");
    if (!keys.containsKey(signingKid)) {
      throw new IllegalArgumentException("signing key '" + signingKid + "' is not configured");
    }
    keys.forEach(
        (kid, key) -> {
          if (!kid.matches("[A-Za-z0-9_-]{1,32}")) {
            throw new IllegalArgumentException("invalid key id '" + kid + "'");
          }
          if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException(
                "attempt token key '" + kid + "' must be at least " + MIN_KEY_BYTES + " bytes");
          }
        });
    this.keys = new LinkedHashMap<>(keys);
    this.signingKid = signingKid;
    this.clock = clock;
  }

  /** One key, read from its base64 form (as configuration holds it). */
  public static AttemptTokens fromBase64(String kid, String base64Key) {
    return new AttemptTokens(
        Map.of(kid, Base64.getDecoder().decode(base64Key.trim())), kid, Clock.systemUTC());
  }

  public String sign(AttemptClaims claims) {
    try {
      String head =
          VERSION + "." + signingKid + "." + B64.encodeToString(mapper.writeValueAsBytes(claims));
      return head + "." + B64.encodeToString(hmac(keys.get(signingKid), head));
    } catch (IOException e) {
      throw new IllegalArgumentException("claims cannot be serialized", e);
    }
  }

  /**
   * Verifies a token for use in {@code environment}.
   *
   * @throws TokenRejectedException with the reason the token was refused
   */
  public AttemptClaims verify(String token, String environment) throws TokenRejectedException {
    AttemptClaims claims = signed(token);
    Instant now = clock.instant();
    if (!now.isBefore(claims.expiresAt())) {
      throw new TokenRejectedException(
          TokenRejectedException.Reason.EXPIRED, "token expired at " + claims.expiresAt());
    }
    if (!claims.environment().equals(environment)) {
      throw new TokenRejectedException(
          TokenRejectedException.Reason.WRONG_ENVIRONMENT, "token is for another environment");
    }
    return claims;
  }

  /**
   * Whether {@code token} is a genuine token of attempt {@code (taskRunId, attempt)}: what the
   * orchestrator asks of an AttemptStarted or AttemptFinished. Expiry does not matter here (a
   * result may come after the token's life; the attempt's own state decides whether it counts).
   */
  public boolean proves(String token, java.util.UUID taskRunId, int attempt) {
    try {
      AttemptClaims claims = signed(token);
      return claims.taskRunId().equals(taskRunId) && claims.attempt() == attempt;
    } catch (TokenRejectedException e) {
      return false;
    }
  }

  /** The claims of a well-formed token signed with a known key; neither expiry nor environment. */
  private AttemptClaims signed(String token) throws TokenRejectedException {
    if (token == null || token.isBlank() || token.length() > 16_384) {
      throw new TokenRejectedException(TokenRejectedException.Reason.MALFORMED, "no token");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length != 4) {
      throw new TokenRejectedException(
          TokenRejectedException.Reason.MALFORMED, "token does not have four parts");
    }
    if (!VERSION.equals(parts[0])) {
      throw new TokenRejectedException(
          TokenRejectedException.Reason.UNSUPPORTED_VERSION, "token version " + parts[0]);
    }
    byte[] key = keys.get(parts[1]);
    if (key == null) {
      throw new TokenRejectedException(
          TokenRejectedException.Reason.UNKNOWN_KEY, "token signed with an unknown key");
    }
    byte[] given;
    try {
      given = B64D.decode(parts[3]);
    } catch (IllegalArgumentException e) {
      throw new TokenRejectedException(
          TokenRejectedException.Reason.MALFORMED, "signature is not base64url");
    }
    byte[] expected = hmac(key, parts[0] + "." + parts[1] + "." + parts[2]);
    if (!MessageDigest.isEqual(expected, given)) {
      throw new TokenRejectedException(
          TokenRejectedException.Reason.BAD_SIGNATURE, "token signature does not match");
    }
    AttemptClaims claims;
    try {
      claims = mapper.readValue(B64D.decode(parts[2]), AttemptClaims.class);
    } catch (IOException | IllegalArgumentException e) {
      throw new TokenRejectedException(
          TokenRejectedException.Reason.MALFORMED, "token claims do not parse");
    }
    if (claims.expiresAt() == null || claims.environment() == null || claims.taskRunId() == null) {
      throw new TokenRejectedException(
          TokenRejectedException.Reason.MALFORMED, "token lacks a required claim");
    }
    return claims;
  }

  private static byte[] hmac(byte[] key, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.US_ASCII));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
