package io.dataplane.common.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.junit.jupiter.api.Test;

class KafkaTracingTest {

  @Test
  void traceContextSurvivesKafkaHeaders() {
    SpanContext sc =
        SpanContext.create(
            "4bf92f3577b34da6a3ce929d0e0e4736",
            "00f067aa0ba902b7",
            TraceFlags.getSampled(),
            TraceState.getDefault());
    Context ctx = Context.root().with(Span.wrap(sc));
    RecordHeaders headers = new RecordHeaders();

    KafkaTracing.inject(ctx, headers);
    Context read = KafkaTracing.extract(headers);

    assertThat(Span.fromContext(read).getSpanContext().getTraceId()).isEqualTo(sc.getTraceId());
    assertThat(KafkaTracing.traceparent(ctx))
        .isEqualTo("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    assertThat(KafkaTracing.traceparent(Context.root())).isNull();
  }
}
