package io.dataplane.filestore.bundle;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes a bundle: a POSIX tar archive of a pipeline's files, gzip-compressed, built so that the
 * same files always give the same bytes. Entries are sorted by path; every entry has mode 0644,
 * uid/gid 0, no user or group name and the same modification time; there are no directory entries;
 * the gzip header is fixed (no name, no time, OS "unknown"). The archive is written as it is read,
 * so only one buffer is ever held in memory.
 *
 * <p>The compressed bytes depend on the deflate implementation of the JVM (zlib); one installation
 * always produces the same bytes for the same files.
 */
public final class BundleWriter {

  /** Modification time of every entry: 1980-01-01T00:00:00Z, as reproducible builds use. */
  public static final long FIXED_MTIME_SECONDS = 315_532_800L;

  /** Deflate level of bundles (fixed: it is part of what makes the bytes reproducible). */
  public static final int COMPRESSION_LEVEL = 6;

  private static final int BLOCK = 512;
  private static final int RECORD = BLOCK * 20;

  /** Opens the bytes of one entry. */
  @FunctionalInterface
  public interface Source {
    InputStream open() throws IOException;
  }

  /** One file of the bundle: its path, exact size and a way to read it. */
  public record Entry(String path, long size, Source source) {}

  private BundleWriter() {}

  /**
   * Writes the bundle of {@code entries} (any order) to {@code out}; {@code out} is not closed.
   *
   * @throws IOException if a source yields more or fewer bytes than its declared size
   */
  public static void write(List<Entry> entries, OutputStream out) throws IOException {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(Entry::path, BundleWriter::compareUtf8));
    for (int i = 1; i < sorted.size(); i++) {
      if (sorted.get(i).path().equals(sorted.get(i - 1).path())) {
        throw new IllegalArgumentException("duplicate path " + sorted.get(i).path());
      }
    }
    GzipOut gz = new GzipOut(out);
    byte[] buffer = new byte[64 * 1024];
    for (Entry e : sorted) {
      writeHeaders(gz, e.path(), e.size());
      long copied = 0;
      try (InputStream in = e.source().open()) {
        int n;
        while ((n = in.read(buffer)) > 0) {
          copied += n;
          if (copied > e.size()) {
            throw new IOException(e.path() + " is longer than its recorded size " + e.size());
          }
          gz.write(buffer, 0, n);
        }
      }
      if (copied != e.size()) {
        throw new IOException(e.path() + " has " + copied + " bytes, expected " + e.size());
      }
      pad(gz, copied);
    }
    // end of archive: two zero blocks, then zeros up to a whole record, as tar(1) writes it
    long written = gz.uncompressed();
    long end = written + 2L * BLOCK;
    long total = ((end + RECORD - 1) / RECORD) * RECORD;
    gz.write(new byte[(int) (total - written)], 0, (int) (total - written));
    gz.finish();
  }

  /** Paths compare by their UTF-8 bytes, the order tar listings and most tools agree on. */
  static int compareUtf8(String a, String b) {
    return Arrays.compareUnsigned(
        a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
  }

  private static void writeHeaders(GzipOut out, String path, long size) throws IOException {
    byte[] name = path.getBytes(StandardCharsets.UTF_8);
    byte[] shortName = name;
    byte[] prefix = new byte[0];
    boolean ascii = path.chars().allMatch(c -> c < 0x80);
    if (name.length > 100) {
      // ustar splits a long path at a '/' into prefix (155) and name (100)
      int split = -1;
      for (int i = name.length - 1; i > 0; i--) {
        if (name[i] == '/' && i <= 155 && name.length - i - 1 <= 100 && name.length - i - 1 > 0) {
          split = i;
          break;
        }
      }
      if (split > 0) {
        prefix = Arrays.copyOfRange(name, 0, split);
        shortName = Arrays.copyOfRange(name, split + 1, name.length);
      } else {
        shortName = null;
      }
    }
    if (shortName == null || !ascii) {
      // a path ustar cannot hold (or not plain ASCII): a PAX extended header carries it
      byte[] record = paxRecord("path", path);
      byte[] header = header("PaxHeader/entry".getBytes(StandardCharsets.US_ASCII), new byte[0]);
      fill(header, record.length, (byte) 'x');
      out.write(header, 0, BLOCK);
      out.write(record, 0, record.length);
      pad(out, record.length);
      shortName = ascii(path);
      prefix = new byte[0];
    }
    byte[] header = header(shortName, prefix);
    fill(header, size, (byte) '0');
    out.write(header, 0, BLOCK);
  }

  /** An ASCII stand-in name for readers without PAX support (they see '_' for other chars). */
  private static byte[] ascii(String path) {
    StringBuilder b = new StringBuilder();
    path.codePoints().forEach(c -> b.append(c < 0x80 ? (char) c : '_'));
    byte[] bytes = b.toString().getBytes(StandardCharsets.US_ASCII);
    return bytes.length <= 100
        ? bytes
        : Arrays.copyOfRange(bytes, bytes.length - 100, bytes.length);
  }

  private static byte[] header(byte[] name, byte[] prefix) {
    byte[] h = new byte[BLOCK];
    System.arraycopy(name, 0, h, 0, Math.min(100, name.length));
    octal(h, 100, 8, 0644);
    octal(h, 108, 8, 0);
    octal(h, 116, 8, 0);
    octal(h, 136, 12, FIXED_MTIME_SECONDS);
    System.arraycopy("ustar\0".getBytes(StandardCharsets.US_ASCII), 0, h, 257, 6);
    h[263] = '0';
    h[264] = '0';
    octal(h, 329, 8, 0);
    octal(h, 337, 8, 0);
    System.arraycopy(prefix, 0, h, 345, Math.min(155, prefix.length));
    return h;
  }

  /** Sets size and type, then the checksum (computed with its own field as spaces). */
  private static void fill(byte[] h, long size, byte type) {
    if (size > 077777777777L) {
      throw new IllegalArgumentException("entry larger than 8 GiB");
    }
    octal(h, 124, 12, size);
    h[156] = type;
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    String s = String.format("%06o", sum);
    System.arraycopy(s.getBytes(StandardCharsets.US_ASCII), 0, h, 148, 6);
    h[154] = 0;
    h[155] = ' ';
  }

  /** A zero-padded octal number of {@code len - 1} digits followed by NUL. */
  private static void octal(byte[] h, int offset, int len, long value) {
    String s = Long.toOctalString(value);
    String padded = "0".repeat(len - 1 - s.length()) + s;
    System.arraycopy(padded.getBytes(StandardCharsets.US_ASCII), 0, h, offset, len - 1);
    h[offset + len - 1] = 0;
  }

  /** A PAX record {@code "<len> key=value\n"}, where len counts the whole record. */
  static byte[] paxRecord(String key, String value) {
    int body = (" " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8).length;
    int len = body + 1;
    while (len != body + String.valueOf(len).length()) {
      len = body + String.valueOf(len).length();
    }
    return (len + " " + key + "=" + value + "\n").getBytes(StandardCharsets.UTF_8);
  }

  private static void pad(GzipOut out, long length) throws IOException {
    int rest = (int) (length % BLOCK);
    if (rest != 0) {
      out.write(new byte[BLOCK - rest], 0, BLOCK - rest);
    }
  }

  /** gzip (RFC 1952) with a fixed 10-byte header: no name, no mtime, XFL 0, OS 255. */
  private static final class GzipOut {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 255};

    private final OutputStream out;
    private final Deflater deflater = new Deflater(COMPRESSION_LEVEL, true);
    private final CRC32 crc = new CRC32();
    private final byte[] buf = new byte[64 * 1024];
    private long uncompressed;

    GzipOut(OutputStream out) throws IOException {
      this.out = out;
      out.write(HEADER);
    }

    long uncompressed() {
      return uncompressed;
    }

    void write(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return;
      }
      crc.update(b, off, len);
      uncompressed += len;
      deflater.setInput(b, off, len);
      while (!deflater.needsInput()) {
        drain();
      }
    }

    void finish() throws IOException {
      deflater.finish();
      while (!deflater.finished()) {
        drain();
      }
      deflater.end();
      long c = crc.getValue();
      long size = uncompressed & 0xffffffffL;
      byte[] trailer = new byte[8];
      for (int i = 0; i < 4; i++) {
        trailer[i] = (byte) (c >>> (8 * i));
        trailer[4 + i] = (byte) (size >>> (8 * i));
      }
      out.write(trailer);
      out.flush();
    }

    private void drain() throws IOException {
      int n = deflater.deflate(buf, 0, buf.length, Deflater.NO_FLUSH);
      if (n > 0) {
        out.write(buf, 0, n);
      }
    }
  }
}
