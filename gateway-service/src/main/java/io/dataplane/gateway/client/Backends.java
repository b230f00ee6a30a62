package io.dataplane.gateway.client;

import io.dataplane.gateway.error.ApiError;
import io.quarkus.logging.Log;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Calls a service and turns "it is down" (connection refused, timeout, open circuit, 5xx) into an
 * UNAVAILABLE error naming the service, so that GraphQL reports it on the fields that needed it.
 */
public final class Backends {

  // the services, named as errors and logs give them
  public static final String ORCHESTRATOR = "orchestrator-service";
  public static final String SCHEDULER = "scheduler-service";
  public static final String SECRETS = "secrets-service";
  public static final String FILESTORE = "filestore-service";

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

  /**
   * The items of a list a service answers ({@code {"items": [...]}}); none when it answers none.
   */
  public static <T> List<T> items(String service, Supplier<Dtos.Items<T>> call) {
    return items(service, call, Dtos.Items::items);
  }

  /** The items of a list a service answers ({@code items} of it); none when it answers none. */
  public static <L, T> List<T> items(String service, Supplier<L> call, Function<L, List<T>> items) {
    L list = call(service, call);
    List<T> found = list == null ? null : items.apply(list);
    return found == null ? List.of() : found;
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
