package io.dataplane.filestore.blob;

import io.dataplane.filestore.service.Await;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Blobs in PostgreSQL, split into chunks of {@code blob_chunks} so that neither a write nor a read
 * ever holds more than one chunk in memory. A blob is written in one transaction: readers see all
 * of it or none of it.
 */
public final class PostgresBlobStore implements BlobStore {

  private final Pool pool;
  private final int chunkSize;

  public PostgresBlobStore(Pool pool, int chunkSize) {
    this.pool = pool;
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
    try (InputStream in = Files.newInputStream(file)) {
      Await.io(
          "cannot write blob " + hex,
          pool.withTransaction(
              c ->
                  // writers of the same blob take turns, so they never collide on a chunk's key
                  c.preparedQuery("select pg_advisory_xact_lock(hashtextextended($1, 0))")
                      .execute(Tuple.of("blob:" + hex))
                      .chain(
                          () ->
                              c.preparedQuery("delete from blob_chunks where digest = $1")
                                  .execute(Tuple.of(hex)))
                      .chain(() -> insertChunks(c, hex, in, 0))));
    }
  }

  /** Inserts the chunks from {@code seq} on, reading each (off the event loop) just before. */
  private Uni<Void> insertChunks(SqlConnection c, String hex, InputStream in, int seq) {
    return Await.blocking(() -> in.readNBytes(chunkSize))
        .chain(
            chunk ->
                // an empty blob still has chunk 0 (empty), so that "absent" and "empty" differ
                chunk.length == 0 && seq > 0
                    ? Uni.createFrom().voidItem()
                    : c.preparedQuery(
                            "insert into blob_chunks (digest, seq, data) values ($1, $2, $3)")
                        .execute(
                            Tuple.tuple()
                                .addString(hex)
                                .addInteger(seq)
                                .addBuffer(Buffer.buffer(chunk)))
                        .chain(() -> insertChunks(c, hex, in, seq + 1)));
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
    RowSet<Row> rows =
        Await.io(
            "cannot read blob " + hex,
            pool.preparedQuery("select data from blob_chunks where digest = $1 and seq = $2")
                .execute(Tuple.of(hex, seq)));
    return rows.size() == 0 ? null : rows.iterator().next().getBuffer(0).getBytes();
  }

  @Override
  public boolean delete(String hex) throws IOException {
    return Await.io(
                "cannot delete blob " + hex,
                pool.preparedQuery("delete from blob_chunks where digest = $1")
                    .execute(Tuple.of(hex)))
            .rowCount()
        > 0;
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
