package io.dataplane.filestore.blob;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * Blobs in PostgreSQL, split into chunks of {@code blob_chunks} so that neither a write nor a read
 * ever holds more than one chunk in memory. A blob is written in one transaction: readers see all
 * of it or none of it.
 */
public final class PostgresBlobStore implements BlobStore {

  private final DataSource dataSource;
  private final int chunkSize;

  public PostgresBlobStore(DataSource dataSource, int chunkSize) {
    this.dataSource = dataSource;
    this.chunkSize = chunkSize;
  }

  @Override
  public String backend() {
    return "postgres";
  }

  @Override
  public String location() {
    return "postgres";
  }

  @Override
  public void write(String hex, Path file, long size) throws IOException {
    try (Connection c = dataSource.getConnection()) {
      c.setAutoCommit(false);
      try (InputStream in = Files.newInputStream(file)) {
        // writers of the same blob take turns, so they never collide on a chunk's key
        try (PreparedStatement ps =
            c.prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 0))")) {
          ps.setString(1, "blob:" + hex);
          ps.execute();
        }
        try (PreparedStatement ps =
            c.prepareStatement("delete from blob_chunks where digest = ?")) {
          ps.setString(1, hex);
          ps.executeUpdate();
        }
        try (PreparedStatement ps =
            c.prepareStatement("insert into blob_chunks (digest, seq, data) values (?, ?, ?)")) {
          int seq = 0;
          byte[] chunk;
          // an empty blob still has chunk 0 (empty), so that "absent" and "empty" differ
          while ((chunk = in.readNBytes(chunkSize)).length > 0 || seq == 0) {
            ps.setString(1, hex);
            ps.setInt(2, seq++);
            ps.setBytes(3, chunk);
            ps.executeUpdate();
          }
        }
        c.commit();
      } catch (SQLException | IOException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      throw new IOException("cannot write blob " + hex + ": " + e.getMessage(), e);
    }
  }

  @Override
  public InputStream open(String hex) throws IOException {
    byte[] first = chunk(hex, 0);
    if (first == null) {
      throw new NoSuchBlobException(hex);
    }
    return new ChunkStream(hex, first);
  }

  private byte[] chunk(String hex, int seq) throws IOException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps =
            c.prepareStatement("select data from blob_chunks where digest = ? and seq = ?")) {
      ps.setString(1, hex);
      ps.setInt(2, seq);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getBytes(1) : null;
      }
    } catch (SQLException e) {
      throw new IOException("cannot read blob " + hex + ": " + e.getMessage(), e);
    }
  }

  @Override
  public boolean delete(String hex) throws IOException {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement("delete from blob_chunks where digest = ?")) {
      ps.setString(1, hex);
      return ps.executeUpdate() > 0;
    } catch (SQLException e) {
      throw new IOException("cannot delete blob " + hex + ": " + e.getMessage(), e);
    }
  }

  /** Reads chunk after chunk, one query each, holding one chunk at a time. */
  private final class ChunkStream extends InputStream {
    private final String hex;
    private byte[] current;
    private int pos;
    private int seq;

    ChunkStream(String hex, byte[] first) {
      this.hex = hex;
      this.current = first;
    }

    private boolean fill() throws IOException {
      while (current != null && pos >= current.length) {
        current = chunk(hex, ++seq);
        pos = 0;
      }
      return current != null;
    }

    @Override
    public int read() throws IOException {
      return fill() ? current[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (!fill()) {
        return -1;
      }
      int n = Math.min(len, current.length - pos);
      System.arraycopy(current, pos, b, off, n);
      pos += n;
      return n;
    }
  }
}
