package io.dataplane.gateway.error;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.error.ErrorResponse;
import io.smallrye.graphql.api.ErrorCode;
import java.util.List;

/**
 * An error a caller may see, in REST (through common-lib's mappers) and in GraphQL (one subclass
 * per code, so that SmallRye GraphQL puts the code in {@code extensions.code}; the details go into
 * {@code extensions.details} through {@link DetailsExtensionProvider}).
 */
public abstract class ApiError extends DataplaneException {

  protected ApiError(String code, String message, List<ErrorResponse.Detail> details) {
    super(code, message, details);
  }

  /** The subclass matching a common-lib error. */
  public static ApiError of(DataplaneException e) {
    if (e instanceof ApiError a) {
      return a;
    }
    return of(e.code(), e.getMessage(), e.details());
  }

  public static ApiError of(String code, String message, List<ErrorResponse.Detail> details) {
    return switch (code) {
      case ErrorCodes.INVALID_INPUT -> new InvalidInput(message, details);
      case ErrorCodes.UNAUTHENTICATED -> new Unauthenticated(message);
      case ErrorCodes.FORBIDDEN -> new Forbidden(message);
      case ErrorCodes.NOT_FOUND -> new NotFound(message);
      case ErrorCodes.CONFLICT -> new Conflict(message);
      case ErrorCodes.TOO_LARGE -> new TooLarge(message);
      case ErrorCodes.RATE_LIMITED -> new RateLimited(message);
      case ErrorCodes.UNAVAILABLE -> new Unavailable(message);
      default -> new Internal(message);
    };
  }

  public static InvalidInput invalid(String path, String message) {
    return new InvalidInput(
        message, List.of(new ErrorResponse.Detail(path, ErrorCodes.INVALID_INPUT, message)));
  }

  public static InvalidInput invalid(List<ErrorResponse.Detail> details) {
    String message =
        details.size() == 1
            ? details.get(0).message()
            : details.size() + " problems in the input; see details";
    return new InvalidInput(message, details);
  }

  @ErrorCode(ErrorCodes.INVALID_INPUT)
  public static final class InvalidInput extends ApiError {
    public InvalidInput(String message, List<ErrorResponse.Detail> details) {
      super(ErrorCodes.INVALID_INPUT, message, details);
    }
  }

  @ErrorCode(ErrorCodes.UNAUTHENTICATED)
  public static final class Unauthenticated extends ApiError {
    public Unauthenticated(String message) {
      super(ErrorCodes.UNAUTHENTICATED, message, List.of());
    }
  }

  @ErrorCode(ErrorCodes.FORBIDDEN)
  public static final class Forbidden extends ApiError {
    public Forbidden(String message) {
      super(ErrorCodes.FORBIDDEN, message, List.of());
    }
  }

  @ErrorCode(ErrorCodes.NOT_FOUND)
  public static final class NotFound extends ApiError {
    public NotFound(String message) {
      super(ErrorCodes.NOT_FOUND, message, List.of());
    }
  }

  @ErrorCode(ErrorCodes.CONFLICT)
  public static final class Conflict extends ApiError {
    public Conflict(String message) {
      super(ErrorCodes.CONFLICT, message, List.of());
    }
  }

  @ErrorCode(ErrorCodes.TOO_LARGE)
  public static final class TooLarge extends ApiError {
    public TooLarge(String message) {
      super(ErrorCodes.TOO_LARGE, message, List.of());
    }
  }

  @ErrorCode(ErrorCodes.RATE_LIMITED)
  public static final class RateLimited extends ApiError {
    public RateLimited(String message) {
      super(ErrorCodes.RATE_LIMITED, message, List.of());
    }
  }

  @ErrorCode(ErrorCodes.UNAVAILABLE)
  public static final class Unavailable extends ApiError {
    public Unavailable(String message) {
      super(ErrorCodes.UNAVAILABLE, message, List.of());
    }
  }

  @ErrorCode(ErrorCodes.INTERNAL)
  public static final class Internal extends ApiError {
    public Internal(String message) {
      super(ErrorCodes.INTERNAL, message, List.of());
    }
  }
}
