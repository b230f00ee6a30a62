package io.dataplane.common.token;

/** An attempt token was refused; {@link #reason()} says why. */
public final class TokenRejectedException extends Exception {

  /** Why a token was refused; each failure mode has its own reason. */
  public enum Reason {
    /** Not of the form {@code v1.<kid>.<claims>.<signature>}, or claims that do not parse. */
    MALFORMED,
    /** A format version this verifier does not know. */
    UNSUPPORTED_VERSION,
    /** Signed with a key id this verifier does not hold. */
    UNKNOWN_KEY,
    /** The signature does not match the claims: forged, or a claim was changed. */
    BAD_SIGNATURE,
    /** Past its expiry. */
    EXPIRED,
    /** Issued for another environment than the one asked about. */
    WRONG_ENVIRONMENT
  }

  private final Reason reason;

  public TokenRejectedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
