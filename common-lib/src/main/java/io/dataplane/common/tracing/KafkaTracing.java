package io.dataplane.common.tracing;

import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

/**
 * Carries W3C trace context in Kafka record headers and into task processes ({@code TRACEPARENT}).
 */
public final class KafkaTracing {

  public static final String TRACEPARENT = "traceparent";

  private static final TextMapSetter<Headers> SETTER =
      (headers, key, value) -> {
        if (headers != null) {
          headers.remove(key);
          headers.add(key, value.getBytes(StandardCharsets.UTF_8));
        }
      };

  private static final TextMapGetter<Headers> GETTER =
      new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(Headers headers) {
          List<String> keys = new ArrayList<>();
          for (Header h : headers) {
            keys.add(h.key());
          }
          return keys;
        }

        @Override
        public String get(Headers headers, String key) {
          if (headers == null) {
            return null;
          }
          Header h = headers.lastHeader(key);
          return h == null ? null : new String(h.value(), StandardCharsets.UTF_8);
        }
      };

  private KafkaTracing() {}

  /** Writes the context's trace parent into the headers. */
  public static void inject(Context context, Headers headers) {
    W3CTraceContextPropagator.getInstance().inject(context, headers, SETTER);
  }

  /** The context whose parent is the trace the headers carry (or the root context). */
  public static Context extract(Headers headers) {
    return W3CTraceContextPropagator.getInstance().extract(Context.root(), headers, GETTER);
  }

  /** The {@code traceparent} value of a context, or null when it carries no valid span. */
  public static String traceparent(Context context) {
    String[] holder = new String[1];
    W3CTraceContextPropagator.getInstance()
        .inject(
            context,
            holder,
            (carrier, key, value) -> {
              if (TRACEPARENT.equals(key) && carrier != null) {
                carrier[0] = value;
              }
            });
    return holder[0];
  }
}
