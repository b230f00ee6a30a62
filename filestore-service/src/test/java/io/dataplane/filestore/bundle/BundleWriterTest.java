package io.dataplane.filestore.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;

class BundleWriterTest {

  static Map<String, byte[]> sample() {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("main.py", "print('hi')\n".getBytes(StandardCharsets.UTF_8));
    files.put("lib/a.sh", "echo a\n".getBytes(StandardCharsets.UTF_8));
    files.put("Z-upper.txt", "sorted by bytes: 'Z' < 'a'".getBytes(StandardCharsets.UTF_8));
    files.put("deep/" + "d".repeat(150) + "/file.txt", "ustar prefix".getBytes());
    files.put("x".repeat(200), "PAX path: no '/' to split at".getBytes());
    files.put("ünïcode/✓.txt", "PAX path: not ASCII".getBytes());
    files.put("empty", new byte[0]);
    files.put("block", new byte[512]);
    return files;
  }

  static byte[] bundle(Map<String, byte[]> files, List<String> order) throws IOException {
    List<BundleWriter.Entry> entries = new ArrayList<>();
    for (String p : order) {
      byte[] b = files.get(p);
      entries.add(new BundleWriter.Entry(p, b.length, () -> new ByteArrayInputStream(b)));
    }
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    BundleWriter.write(entries, out);
    return out.toByteArray();
  }

  @Test
  void sameFilesGiveTheSameBytesWhateverTheOrder() throws IOException {
    Map<String, byte[]> files = sample();
    List<String> order = new ArrayList<>(files.keySet());
    byte[] a = bundle(files, order);
    Collections.reverse(order);
    byte[] b = bundle(files, order);
    Collections.shuffle(order);
    byte[] c = bundle(files, order);
    assertThat(a).isEqualTo(b).isEqualTo(c);
    // fixed gzip header: magic, deflate, no flags, mtime 0, XFL 0, OS 255
    assertThat(Arrays.copyOf(a, 10)).containsExactly(0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff);
  }

  @Test
  void oneByteChangedGivesOtherBytes() throws IOException {
    Map<String, byte[]> files = sample();
    byte[] before = bundle(files, new ArrayList<>(files.keySet()));
    files.get("main.py")[0] ^= 1;
    byte[] after = bundle(files, new ArrayList<>(files.keySet()));
    assertThat(after).isNotEqualTo(before);
  }

  @Test
  void standardReadersSeeEveryFileSortedWithFixedMetadata() throws IOException {
    Map<String, byte[]> files = sample();
    byte[] archive = bundle(files, new ArrayList<>(files.keySet()));
    assertThat(new GZIPInputStream(new ByteArrayInputStream(archive)).readAllBytes().length % 10240)
        .isZero();
    List<String> names = new ArrayList<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(
            new GZIPInputStream(new ByteArrayInputStream(archive)), "UTF-8")) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        names.add(e.getName());
        assertThat(e.isFile()).isTrue();
        assertThat(e.getMode() & 07777).isEqualTo(0644);
        assertThat(e.getLongUserId()).isZero();
        assertThat(e.getLongGroupId()).isZero();
        assertThat(e.getUserName()).isEmpty();
        assertThat(e.getGroupName()).isEmpty();
        assertThat(e.getModTime().getTime() / 1000).isEqualTo(BundleWriter.FIXED_MTIME_SECONDS);
        assertThat(tar.readAllBytes()).as(e.getName()).isEqualTo(files.get(e.getName()));
      }
    }
    List<String> expected = new ArrayList<>(files.keySet());
    expected.sort(BundleWriter::compareUtf8);
    assertThat(names).containsExactlyElementsOf(expected);
  }

  @Test
  void paxRecordLengthCountsItself() {
    assertThat(new String(BundleWriter.paxRecord("path", "a"), StandardCharsets.UTF_8))
        .isEqualTo("9 path=a\n");
    // " path=" + 92 x + "\n" is 99 bytes: with a 3-digit length the record is 102 bytes long
    String v = "x".repeat(92);
    assertThat(new String(BundleWriter.paxRecord("path", v), StandardCharsets.UTF_8))
        .startsWith("102 ");
    String record = new String(BundleWriter.paxRecord("path", v), StandardCharsets.UTF_8);
    assertThat(record).startsWith(record.getBytes(StandardCharsets.UTF_8).length + " ");
  }

  @Test
  void aSourceThatDisagreesWithItsSizeIsAnError() {
    List<BundleWriter.Entry> entries =
        List.of(new BundleWriter.Entry("a", 5, () -> new ByteArrayInputStream(new byte[3])));
    assertThatThrownBy(() -> BundleWriter.write(entries, new ByteArrayOutputStream()))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("expected 5");
    List<BundleWriter.Entry> dup =
        List.of(
            new BundleWriter.Entry("a", 0, () -> new ByteArrayInputStream(new byte[0])),
            new BundleWriter.Entry("a", 0, () -> new ByteArrayInputStream(new byte[0])));
    assertThatThrownBy(() -> BundleWriter.write(dup, new ByteArrayOutputStream()))
        .hasMessageContaining("duplicate");
  }
}
