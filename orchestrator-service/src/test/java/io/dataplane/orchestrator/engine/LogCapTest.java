package io.dataplane.orchestrator.engine;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class LogCapTest {

  @Test
  void keepsWhatFitsThenDropsEverythingAfter() {
    LogCap.Decision d = LogCap.decide(90, 100, List.of(5L, 4L, 3L, 1L));
    assertThat(d.keep()).containsExactly(0, 1);
    assertThat(d.keptBytes()).isEqualTo(9);
    // the 1-byte line would fit, but the log stays a prefix: no holes
    assertThat(d.droppedLines()).isEqualTo(2);
    assertThat(d.droppedBytes()).isEqualTo(4);
  }

  @Test
  void aFullRunKeepsNothing() {
    LogCap.Decision d = LogCap.decide(100, 100, List.of(1L));
    assertThat(d.keep()).isEmpty();
    assertThat(d.droppedLines()).isEqualTo(1);
  }

  @Test
  void zeroMeansNoCap() {
    LogCap.Decision d = LogCap.decide(1L << 40, 0, List.of(1L << 30, 7L));
    assertThat(d.keep()).containsExactly(0, 1);
    assertThat(d.droppedLines()).isZero();
  }

  @Test
  void bytesAreUtf8() {
    assertThat(LogCap.bytes("é")).isEqualTo(2);
    assertThat(LogCap.bytes(null)).isZero();
  }

  @Test
  void theMarkerSaysHowMuch() {
    assertThat(LogCap.marker(100, 3, 42)).contains("cap of 100 bytes", "3 lines", "42 bytes");
    assertThat(LogCap.marker(100, 1, 5)).contains("1 line (");
  }
}
