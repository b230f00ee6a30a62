package io.dataplane.worker.bundle;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A bounded local cache of unpacked bundles. A bundle is downloaded once however many attempts ask
 * for it at the same time, verified against its sha256 digest, unpacked read-only, and evicted
 * least-recently-used when the unpacked bytes exceed the limit. A bundle in use by a running
 * attempt is never evicted. Plain Java.
 */
public final class BundleCache {

  /** The one digest format: {@code sha256:<64 lowercase hex>}. */
  public static final Pattern DIGEST = Pattern.compile("sha256:[0-9a-f]{64}");

  private static final Set<PosixFilePermission> READ_ONLY_FILE =
      PosixFilePermissions.fromString("r--r--r--");
  private static final Set<PosixFilePermission> READ_ONLY_EXEC =
      PosixFilePermissions.fromString("r-xr-xr-x");

  /** Downloads a bundle's archive (tar.gz) to a file. */
  @FunctionalInterface
  public interface Fetcher {
    /**
     * Writes the archive to {@code target}; stops with a {@link BadBundleException} as soon as it
     * is longer than {@code maxBytes}, before it fills the disk.
     */
    void fetch(String digest, Path target, long maxBytes) throws IOException;
  }

  /**
   * Copies {@code in} to {@code out}, failing with a {@link BadBundleException} once more than
   * {@code maxBytes} went through; returns the bytes copied.
   */
  public static long copyAtMost(InputStream in, OutputStream out, long maxBytes, String what)
      throws IOException {
    byte[] buf = new byte[65536];
    long total = 0;
    int n;
    while ((n = in.read(buf)) >= 0) {
      total += n;
      if (total > maxBytes) {
        throw new BadBundleException(what + " is larger than the limit of " + maxBytes + " bytes");
      }
      out.write(buf, 0, n);
    }
    return total;
  }

  /** A bundle checked out for one attempt; close it when the attempt ends. */
  public interface Lease extends AutoCloseable {
    Path path();

    /** Whether the bundle was already in the cache. */
    boolean hit();

    @Override
    void close();
  }

  /** The bundle's bytes do not hash to its digest, or its archive is not acceptable. */
  public static final class BadBundleException extends IOException {
    public BadBundleException(String message) {
      super(message);
    }
  }

  private static final class Entry {
    final String digest;
    final Path path;
    final long bytes;
    int refs;
    long lastUsed;

    Entry(String digest, Path path, long bytes) {
      this.digest = digest;
      this.path = path;
      this.bytes = bytes;
    }
  }

  private final Path dir;
  private final long maxBytes;
  private final long maxBundleBytes;
  private final Fetcher fetcher;
  private final Map<String, Entry> entries = new HashMap<>();
  private final Map<String, CompletableFuture<Void>> inflight = new HashMap<>();
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();
  private final AtomicLong downloadedBytes = new AtomicLong();
  private long totalBytes;
  private long clock;

  private static final Pattern OWN_ENTRY =
      Pattern.compile("[0-9a-f]{64}|\\.download-.*|\\.unpack-.*");

  /**
   * Opens the cache in {@code dir}, removing the bundles an earlier process left there (only
   * entries the cache itself makes: a misconfigured directory loses nothing else).
   */
  public BundleCache(Path dir, long maxBytes, Fetcher fetcher) throws IOException {
    this(dir, maxBytes, maxBytes, fetcher);
  }

  /**
   * Opens the cache; a bundle whose archive or unpacked files exceed {@code maxBundleBytes} (or the
   * cache's size) is refused while it streams.
   */
  public BundleCache(Path dir, long maxBytes, long maxBundleBytes, Fetcher fetcher)
      throws IOException {
    this.dir = dir;
    this.maxBytes = maxBytes;
    this.maxBundleBytes = Math.min(maxBytes, maxBundleBytes);
    this.fetcher = fetcher;
    Files.createDirectories(dir);
    try (Stream<Path> old = Files.list(dir)) {
      for (Path p : (Iterable<Path>) old::iterator) {
        if (OWN_ENTRY.matcher(p.getFileName().toString()).matches()) {
          deleteTree(p);
        }
      }
    }
    // sandboxed uids read bundles through this directory
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  /** Checks a bundle out, downloading it first when it is not cached. */
  public Lease acquire(String digest) throws IOException {
    if (digest == null || !DIGEST.matcher(digest).matches()) {
      throw new BadBundleException("not a bundle digest: " + digest);
    }
    boolean first = true;
    while (true) {
      CompletableFuture<Void> wait;
      boolean owner = false;
      synchronized (this) {
        Entry e = entries.get(digest);
        if (e != null) {
          e.refs++;
          e.lastUsed = ++clock;
          if (first) {
            hits.incrementAndGet();
          }
          return lease(e, first);
        }
        wait = inflight.get(digest);
        if (wait == null) {
          wait = new CompletableFuture<>();
          inflight.put(digest, wait);
          owner = true;
          misses.incrementAndGet();
        }
      }
      if (owner) {
        return load(digest, wait);
      }
      first = false;
      try {
        wait.get();
      } catch (InterruptedException ie) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for bundle " + digest);
      } catch (ExecutionException ee) {
        Throwable cause = ee.getCause();
        if (cause instanceof IOException io) {
          throw io;
        }
        throw new IOException("bundle " + digest + " could not be loaded: " + cause, cause);
      }
      // loaded by another caller: loop to check it out (or to load it again if evicted already)
    }
  }

  private Lease load(String digest, CompletableFuture<Void> done) throws IOException {
    String hex = digest.substring("sha256:".length());
    Path archive = dir.resolve(".download-" + UUID.randomUUID() + ".tar.gz");
    Path staging = dir.resolve(".unpack-" + UUID.randomUUID());
    try {
      fetcher.fetch(digest, archive, maxBundleBytes);
      long size = Files.size(archive);
      downloadedBytes.addAndGet(size);
      String actual = sha256(archive);
      if (!actual.equals(hex)) {
        throw new BadBundleException(
            "bundle digest mismatch: expected " + digest + ", got sha256:" + actual);
      }
      long bytes = unpack(archive, staging);
      Path target = dir.resolve(hex);
      deleteTree(target);
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      Entry e = new Entry(digest, target, bytes);
      Lease lease;
      synchronized (this) {
        e.refs = 1;
        e.lastUsed = ++clock;
        entries.put(digest, e);
        totalBytes += bytes;
        evict(e);
        inflight.remove(digest);
        lease = lease(e, false);
      }
      done.complete(null);
      return lease;
    } catch (IOException | RuntimeException ex) {
      synchronized (this) {
        inflight.remove(digest);
      }
      done.completeExceptionally(ex);
      deleteTree(staging);
      throw ex;
    } finally {
      Files.deleteIfExists(archive);
    }
  }

  private void evict(Entry keep) {
    while (totalBytes > maxBytes) {
      Entry victim =
          entries.values().stream()
              .filter(x -> x.refs == 0 && x != keep)
              .min(Comparator.comparingLong(x -> x.lastUsed))
              .orElse(null);
      if (victim == null) {
        return; // everything is in use: over budget until an attempt ends
      }
      entries.remove(victim.digest);
      totalBytes -= victim.bytes;
      deleteTree(victim.path);
    }
  }

  private Lease lease(Entry e, boolean hit) {
    return new Lease() {
      private boolean closed;

      @Override
      public Path path() {
        return e.path;
      }

      @Override
      public boolean hit() {
        return hit;
      }

      @Override
      public void close() {
        synchronized (BundleCache.this) {
          if (!closed) {
            closed = true;
            e.refs--;
            evict(null);
          }
        }
      }
    };
  }

  private long unpack(Path archive, Path target) throws IOException {
    Files.createDirectories(target);
    long total = 0;
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(archive));
        GzipCompressorInputStream gz = new GzipCompressorInputStream(raw);
        TarArchiveInputStream tar = new TarArchiveInputStream(gz)) {
      TarArchiveEntry entry;
      while ((entry = tar.getNextEntry()) != null) {
        Path rel = Path.of(entry.getName()).normalize();
        if (rel.isAbsolute() || rel.startsWith("..") || rel.toString().isEmpty()) {
          if (entry.isDirectory() && rel.toString().isEmpty()) {
            continue; // "./"
          }
          throw new BadBundleException("bundle entry outside the bundle: " + entry.getName());
        }
        Path out = target.resolve(rel);
        if (entry.isDirectory()) {
          Files.createDirectories(out);
        } else if (entry.isFile()) {
          Files.createDirectories(out.getParent());
          boolean shebang;
          try (OutputStream os = Files.newOutputStream(out)) {
            byte[] head = tar.readNBytes(2);
            shebang = head.length == 2 && head[0] == '#' && head[1] == '!';
            os.write(head);
            // checked while it streams: a small archive may unpack to a disk full of zeros
            total +=
                head.length
                    + copyAtMost(
                        tar, os, maxBundleBytes - total - head.length, "the unpacked bundle");
          }
          // filestore stores no modes (every entry is 0644): a script with a #! line runs as ./x
          boolean exec = shebang || (entry.getMode() & 0100) != 0;
          Files.setPosixFilePermissions(out, exec ? READ_ONLY_EXEC : READ_ONLY_FILE);
        }
        // links and special files are not part of a bundle: skipped
      }
    } catch (BadBundleException e) {
      throw e;
    } catch (IOException | IllegalArgumentException e) {
      throw new BadBundleException("bundle is not a readable tar.gz: " + e.getMessage());
    }
    try (Stream<Path> dirs = Files.walk(target)) {
      for (Path d : (Iterable<Path>) dirs.filter(Files::isDirectory)::iterator) {
        Files.setPosixFilePermissions(d, READ_ONLY_EXEC);
      }
    }
    return total;
  }

  static String sha256(Path file) throws IOException {
    try (InputStream in =
        new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
      in.transferTo(OutputStream.nullOutputStream());
      return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Deletes a tree, making read-only directories writable first. */
  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(root)) {
      for (Path p : (Iterable<Path>) paths.sorted(Comparator.reverseOrder())::iterator) {
        if (Files.isDirectory(p)) {
          p.toFile().setWritable(true, true);
        }
        Path parent = p.getParent();
        if (parent != null) {
          parent.toFile().setWritable(true, true);
        }
        Files.deleteIfExists(p);
      }
    } catch (IOException | RuntimeException e) {
      // best effort: a leftover is removed at the next start
    }
  }

  public long hits() {
    return hits.get();
  }

  public long misses() {
    return misses.get();
  }

  public long downloadedBytes() {
    return downloadedBytes.get();
  }

  /** Unpacked bytes held now. */
  public synchronized long bytes() {
    return totalBytes;
  }

  /** Whether a bundle is cached now. */
  public synchronized boolean contains(String digest) {
    return entries.containsKey(digest);
  }
}
