package io.dataplane.common.error;

/** The error codes shared by every service, with the HTTP status each maps to. */
public final class ErrorCodes {
  /** 400: the input is invalid; details name every problem. */
  public static final String INVALID_INPUT = "INVALID_INPUT";

  /** 401: no or bad credentials. */
  public static final String UNAUTHENTICATED = "UNAUTHENTICATED";

  /** 403: authenticated, but not allowed. */
  public static final String FORBIDDEN = "FORBIDDEN";

  /** 404: no such object (or not visible to the caller). */
  public static final String NOT_FOUND = "NOT_FOUND";

  /** 409: the object's state does not allow this (e.g. a second claim). */
  public static final String CONFLICT = "CONFLICT";

  /** 413: the body or a value is larger than allowed. */
  public static final String TOO_LARGE = "TOO_LARGE";

  /**
   * A task failed before dispatch: the outputs of its upstream tasks (its inputs) together with the
   * run's params are larger than a dispatch may carry.
   */
  public static final String INPUTS_TOO_LARGE = "INPUTS_TOO_LARGE";

  /** 429: rate limited; see Retry-After. */
  public static final String RATE_LIMITED = "RATE_LIMITED";

  /** 503: a dependency is down. */
  public static final String UNAVAILABLE = "UNAVAILABLE";

  /** 500: a bug; the message carries no internals. */
  public static final String INTERNAL = "INTERNAL";

  private ErrorCodes() {}

  /** The HTTP status for a code (500 for codes not listed here). */
  public static int httpStatus(String code) {
    return switch (code) {
      case INVALID_INPUT -> 400;
      case UNAUTHENTICATED -> 401;
      case FORBIDDEN -> 403;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case TOO_LARGE, INPUTS_TOO_LARGE -> 413;
      case RATE_LIMITED -> 429;
      case UNAVAILABLE -> 503;
      default -> 500;
    };
  }
}
