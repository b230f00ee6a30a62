package io.dataplane.gateway.client;

import io.dataplane.gateway.error.ApiError;
import io.quarkus.logging.Log;
import java.util.function.Supplier;

/**
 * Calls a service and turns "it is down" (connection refused, timeout, open circuit, 5xx) into an
 * UNAVAILABLE error naming the service, so that GraphQL reports it on the fields that needed it.
 */
public final class Backends {

  private Backends() {}

  public static <T> T call(String service, Supplier<T> call) {
    try {
      return call.get();
    } catch (ApiError e) {
      throw e;
    } catch (io.dataplane.common.error.DataplaneException e) {
      throw ApiError.of(e);
    } catch (RuntimeException e) {
      Log.warnf("%s call failed: %s", service, describe(e));
      throw new ApiError.Unavailable(service + " is unavailable; try again later");
    }
  }

  public static void run(String service, Runnable call) {
    call(
        service,
        () -> {
          call.run();
          return null;
        });
  }

  private static String describe(Throwable e) {
    StringBuilder sb = new StringBuilder();
    for (Throwable t = e; t != null && sb.length() < 300; t = t.getCause()) {
      sb.append(t.getClass().getSimpleName()).append(": ").append(t.getMessage()).append("; ");
    }
    return sb.toString();
  }
}
