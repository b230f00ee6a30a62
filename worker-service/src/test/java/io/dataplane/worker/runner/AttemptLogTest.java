package io.dataplane.worker.runner;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.common.events.LogChunk;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttemptLogTest {

  @Test
  void numbersLinesWithoutGapsAcrossDrains() {
    AttemptLog log = new AttemptLog(0);
    log.append("stdout", "a");
    log.append("stderr", "b");
    List<List<LogChunk.Line>> first = log.drain();
    log.append("stdout", "");
    log.system("done");
    List<List<LogChunk.Line>> second = log.drain();
    assertThat(first).singleElement().asList().hasSize(2);
    assertThat(second.get(0)).extracting(LogChunk.Line::seq).containsExactly(3L, 4L);
    assertThat(second.get(0)).extracting(LogChunk.Line::text).containsExactly("", "done");
    assertThat(log.drain()).isEmpty();
  }

  @Test
  void cutsVeryLongLinesAndSplitsLargeDrainsIntoChunks() {
    AttemptLog log = new AttemptLog(0);
    log.append("stdout", "x".repeat(AttemptLog.MAX_LINE_CHARS * 2 + 10));
    assertThat(log.lastSeq()).isEqualTo(3);
    for (int i = 0; i < 200; i++) {
      log.append("stdout", "y".repeat(4000));
    }
    List<List<LogChunk.Line>> chunks = log.drain();
    assertThat(chunks).hasSizeGreaterThan(1);
    assertThat(chunks.stream().mapToInt(List::size).sum()).isEqualTo(203);
    for (List<LogChunk.Line> chunk : chunks) {
      assertThat(chunk.stream().mapToLong(l -> l.text().length() * 3L + 64).sum())
          .isLessThanOrEqualTo(AttemptLog.MAX_CHUNK_BYTES + AttemptLog.MAX_LINE_CHARS * 3L + 64);
    }
  }

  @Test
  void truncatesOnceAndKeepsSystemLines() {
    AttemptLog log = new AttemptLog(10);
    log.append("stdout", "1234"); // 5 bytes with its newline
    log.append("stdout", "5678"); // 10
    log.append("stdout", "over");
    log.append("stdout", "more");
    log.system("attempt finished: SUCCEEDED");
    List<LogChunk.Line> lines = log.drain().get(0);
    assertThat(lines)
        .extracting(LogChunk.Line::text)
        .containsExactly(
            "1234",
            "5678",
            "[log truncated: the limit of 10 bytes per attempt was reached; further output is"
                + " dropped]",
            "attempt finished: SUCCEEDED");
    assertThat(log.truncated()).isTrue();
    assertThat(log.bytes()).isEqualTo(10);
    assertThat(log.droppedBytes()).isEqualTo(10);
  }
}
