package io.dataplane.common.error;

import java.util.List;

/** A failure with an error code of {@link ErrorCodes}; services map it to {@link ErrorResponse}. */
public class DataplaneException extends RuntimeException {

  private final String code;
  private final List<ErrorResponse.Detail> details;

  public DataplaneException(String code, String message) {
    this(code, message, List.of());
  }

  public DataplaneException(String code, String message, List<ErrorResponse.Detail> details) {
    super(message);
    this.code = code;
    this.details = List.copyOf(details);
  }

  public static DataplaneException notFound(String what) {
    return new DataplaneException(ErrorCodes.NOT_FOUND, what + " not found");
  }

  public static DataplaneException invalid(String path, String message) {
    return new DataplaneException(
        ErrorCodes.INVALID_INPUT,
        message,
        List.of(new ErrorResponse.Detail(path, ErrorCodes.INVALID_INPUT, message)));
  }

  public static DataplaneException invalid(List<ErrorResponse.Detail> details) {
    String message =
        details.size() == 1
            ? details.get(0).message()
            : details.size() + " problems in the input; see details";
    return new DataplaneException(ErrorCodes.INVALID_INPUT, message, details);
  }

  public static DataplaneException conflict(String message) {
    return new DataplaneException(ErrorCodes.CONFLICT, message);
  }

  /** 413: a body or value is larger than allowed. */
  public static DataplaneException tooLarge(String message) {
    return new DataplaneException(ErrorCodes.TOO_LARGE, message);
  }

  public String code() {
    return code;
  }

  public List<ErrorResponse.Detail> details() {
    return details;
  }

  public int httpStatus() {
    return ErrorCodes.httpStatus(code);
  }

  public ErrorResponse toResponse() {
    return new ErrorResponse(code, getMessage(), details);
  }
}
