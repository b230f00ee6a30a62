package io.dataplane.worker.bundle;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BundleCacheTest {

  @TempDir Path tmp;

  /** A filestore stand-in: serves archives by digest and counts downloads. */
  static final class Store implements BundleCache.Fetcher {
    final Map<String, byte[]> archives = new ConcurrentHashMap<>();
    final AtomicInteger downloads = new AtomicInteger();
    volatile CountDownLatch gate;

    String put(byte[] archive) throws Exception {
      String digest =
          "sha256:"
              + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(archive));
      archives.put(digest, archive);
      return digest;
    }

    @Override
    public void fetch(String digest, Path target, long maxBytes) throws IOException {
      downloads.incrementAndGet();
      if (gate != null) {
        try {
          gate.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          throw new IOException(e);
        }
      }
      byte[] bytes = archives.get(digest);
      if (bytes == null) {
        throw new IOException("404 " + digest);
      }
      Files.write(target, bytes);
    }
  }

  static byte[] tarGz(Map<String, String> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar =
        new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      for (Map.Entry<String, String> f : files.entrySet()) {
        byte[] content = f.getValue().getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry e = new TarArchiveEntry(f.getKey());
        e.setSize(content.length);
        e.setMode(f.getKey().endsWith(".sh") ? 0755 : 0644);
        tar.putArchiveEntry(e);
        tar.write(content);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  @Test
  void downloadsOnceUnpacksReadOnlyAndHitsAfterwards() throws Exception {
    Store store = new Store();
    String digest =
        store.put(
            tarGz(
                Map.of("main.py", "print(1)\n", "lib/run.sh", "echo hi\n", "tool", "#!/bin/sh\n")));
    BundleCache cache = new BundleCache(tmp.resolve("cache"), 1 << 20, store);
    try (BundleCache.Lease lease = cache.acquire(digest)) {
      assertThat(lease.hit()).isFalse();
      assertThat(lease.path().resolve("main.py")).hasContent("print(1)");
      assertThat(Files.isExecutable(lease.path().resolve("lib/run.sh"))).isTrue();
      assertThat(Files.isExecutable(lease.path().resolve("tool"))).isTrue(); // by its #! line
      assertThat(Files.isExecutable(lease.path().resolve("main.py"))).isFalse();
      assertThat(Files.getPosixFilePermissions(lease.path().resolve("main.py")).toString())
          .doesNotContain("WRITE");
    }
    try (BundleCache.Lease again = cache.acquire(digest)) {
      assertThat(again.hit()).isTrue();
    }
    assertThat(store.downloads).hasValue(1);
    assertThat(cache.hits()).isEqualTo(1);
    assertThat(cache.misses()).isEqualTo(1);
    assertThat(cache.bytes())
        .isEqualTo("print(1)\n".length() + "echo hi\n".length() + "#!/bin/sh\n".length());
  }

  @Test
  void concurrentRequestsShareOneDownload() throws Exception {
    Store store = new Store();
    String digest = store.put(tarGz(Map.of("a.txt", "a")));
    BundleCache cache = new BundleCache(tmp.resolve("cache"), 1 << 20, store);
    store.gate = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> futures = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        futures.add(
            pool.submit(
                () -> {
                  try (BundleCache.Lease l = cache.acquire(digest)) {
                    return l.path();
                  }
                }));
      }
      // the first caller is downloading; the others queue behind it or hit the cache later
      org.awaitility.Awaitility.await().until(() -> store.downloads.get() == 1);
      store.gate.countDown();
      for (Future<Path> f : futures) {
        assertThat(f.get(10, TimeUnit.SECONDS).resolve("a.txt")).hasContent("a");
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(store.downloads).hasValue(1);
  }

  @Test
  void evictsLeastRecentlyUsedButNeverABundleInUse() throws Exception {
    Store store = new Store();
    String a = store.put(tarGz(Map.of("f", "a".repeat(400))));
    String b = store.put(tarGz(Map.of("f", "b".repeat(400))));
    String c = store.put(tarGz(Map.of("f", "c".repeat(400))));
    BundleCache cache = new BundleCache(tmp.resolve("cache"), 1000, store);
    cache.acquire(a).close();
    BundleCache.Lease holdB = cache.acquire(b);
    cache.acquire(a).close(); // a is now more recently used than b
    try (BundleCache.Lease lc = cache.acquire(c)) {
      // over 1000 bytes: b is the least recently used but in use, so a goes
      assertThat(cache.contains(a)).isFalse();
      assertThat(cache.contains(b)).isTrue();
      assertThat(cache.contains(c)).isTrue();
      assertThat(Files.exists(holdB.path().resolve("f"))).isTrue();
    }
    holdB.close();
    try (BundleCache.Lease la = cache.acquire(a)) {
      assertThat(la.hit()).isFalse();
    }
    assertThat(cache.bytes()).isLessThanOrEqualTo(1000);
    assertThat(cache.contains(b)).isFalse(); // b was least recently used once released
    assertThat(store.downloads).hasValue(4);
  }

  @Test
  void startsEmptyButRemovesOnlyItsOwnEntries() throws Exception {
    Store store = new Store();
    String digest = store.put(tarGz(Map.of("f", "x")));
    Path dir = tmp.resolve("cache");
    new BundleCache(dir, 1 << 20, store).acquire(digest).close();
    Files.writeString(dir.resolve("not-mine.txt"), "keep");
    BundleCache reopened = new BundleCache(dir, 1 << 20, store);
    assertThat(reopened.contains(digest)).isFalse();
    assertThat(dir.resolve(digest.substring(7))).doesNotExist();
    assertThat(dir.resolve("not-mine.txt")).hasContent("keep");
  }

  @Test
  void rejectsADigestMismatch() throws Exception {
    Store store = new Store();
    String digest = store.put(tarGz(Map.of("f", "good")));
    store.archives.put(digest, tarGz(Map.of("f", "tampered")));
    BundleCache cache = new BundleCache(tmp.resolve("cache"), 1 << 20, store);
    assertThatThrownBy(() -> cache.acquire(digest))
        .isInstanceOf(BundleCache.BadBundleException.class)
        .hasMessageContaining("digest mismatch");
    assertThat(cache.contains(digest)).isFalse();
    try (var files = Files.list(tmp.resolve("cache"))) {
      assertThat(files).isEmpty();
    }
  }

  @Test
  void rejectsEntriesOutsideTheBundleAndBadDigests() throws Exception {
    Store store = new Store();
    String digest = store.put(tarGz(Map.of("../escape.txt", "x")));
    BundleCache cache = new BundleCache(tmp.resolve("cache"), 1 << 20, store);
    assertThatThrownBy(() -> cache.acquire(digest))
        .isInstanceOf(BundleCache.BadBundleException.class)
        .hasMessageContaining("outside the bundle");
    assertThat(tmp.resolve("escape.txt")).doesNotExist();
    assertThatThrownBy(() -> cache.acquire("md5:abc"))
        .isInstanceOf(BundleCache.BadBundleException.class);
  }
}
