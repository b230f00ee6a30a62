package io.dataplane.worker.service;

import io.dataplane.common.events.AttemptFinished;
import io.dataplane.common.events.AttemptStarted;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.LogChunk;
import io.dataplane.common.events.TaskDispatched;
import io.dataplane.common.events.Topics;
import io.dataplane.common.text.PgText;
import io.dataplane.worker.messaging.EventProducer;
import io.dataplane.worker.messaging.ResultSpool;
import io.dataplane.worker.runner.AttemptResult;
import io.dataplane.worker.runner.LogPublisher;
import io.micrometer.core.instrument.Counter;
import io.opentelemetry.context.Context;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the worker tells the orchestrator about an attempt: AttemptStarted, its log chunks (text
 * PostgreSQL refuses replaced before it leaves), and AttemptFinished, which goes through the spool
 * and is kept until Kafka acknowledged it.
 */
final class AttemptEvents {

  private final EventProducer events;
  private final ResultSpool spool;
  private final String workerId;
  private final Counter logBytes;

  AttemptEvents(EventProducer events, ResultSpool spool, String workerId, Counter logBytes) {
    this.events = events;
    this.spool = spool;
    this.workerId = workerId;
    this.logBytes = logBytes;
  }

  void started(TaskDispatched d, Context ctx) {
    events.send(
        Topics.TASK_EVENTS,
        d.runId().toString(),
        new AttemptStarted(
            d.runId(), d.taskRunId(), d.attempt(), workerId, Instant.now(), d.attemptToken()),
        ctx);
  }

  /** Publishes the attempt's log chunks. */
  LogPublisher logs(TaskDispatched d, Context ctx) {
    return (lines0, last) -> {
      long n = 0;
      // NUL and unpaired surrogates cannot be stored by PostgreSQL: replaced before they leave
      List<LogChunk.Line> lines = new ArrayList<>(lines0.size());
      for (LogChunk.Line l : lines0) {
        String text = PgText.clean(l.text());
        n += text == null ? 0 : text.length();
        lines.add(text == l.text() ? l : new LogChunk.Line(l.seq(), l.ts(), l.stream(), text));
      }
      logBytes.increment(n);
      events.send(
          Topics.TASK_LOGS,
          d.taskRunId().toString(),
          new LogChunk(d.runId(), d.taskRunId(), d.attempt(), lines, last),
          ctx);
    };
  }

  /** The one log line of an attempt that never started a process (the last of its log). */
  void systemLine(TaskDispatched d, Context ctx, String text) {
    events.send(
        Topics.TASK_LOGS,
        d.taskRunId().toString(),
        new LogChunk(
            d.runId(),
            d.taskRunId(),
            d.attempt(),
            List.of(new LogChunk.Line(1, Instant.now(), "system", PgText.clean(text))),
            true),
        ctx);
  }

  /** The result, kept in the spool until Kafka acknowledged it. */
  void finished(TaskDispatched d, AttemptResult r, Context ctx) {
    spool.submit(
        EventEnvelope.of(
            EventProducer.SOURCE,
            new AttemptFinished(
                d.runId(),
                d.taskRunId(),
                d.attempt(),
                workerId,
                r.outcome(),
                r.exitCode(),
                PgText.cleanValue(r.outputs()),
                PgText.clean(r.error()),
                r.durationMillis(),
                Instant.now(),
                d.attemptToken())),
        ctx);
  }
}
