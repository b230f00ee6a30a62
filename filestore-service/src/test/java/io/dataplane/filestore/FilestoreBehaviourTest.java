package io.dataplane.filestore;

import static io.dataplane.filestore.support.Api.api;
import static io.dataplane.filestore.support.Api.unique;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import io.dataplane.common.events.BundlePublished;
import io.dataplane.common.events.EventCodec;
import io.dataplane.common.events.EventEnvelope;
import io.dataplane.common.events.Topics;
import io.dataplane.filestore.blob.BlobStore;
import io.dataplane.filestore.support.Api;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * What every storage backend must do the same way. Each backend has a subclass that runs this suite
 * with the backend selected by its test profile. Test limits: 2 MiB per file, 5 MiB per pipeline.
 */
public abstract class FilestoreBehaviourTest {

  static final long MAX_FILE = 2 * 1024 * 1024;
  static final long MAX_PIPELINE = 5 * 1024 * 1024;

  @Inject BlobStore store;

  /** The backend the subclass runs against, as the metrics tag it. */
  protected abstract String backend();

  String env = unique("env");
  String pipeline = unique("pipe");

  String files() {
    return "/api/v1/environments/" + env + "/pipelines/" + pipeline + "/files";
  }

  Response put(String path, byte[] bytes, String contentType) {
    return api()
        .contentType(contentType)
        .header("X-Dataplane-Actor", "alice")
        .body(bytes)
        .when()
        .put(files() + "/" + path);
  }

  static String sha256(byte[] bytes) {
    try {
      return "sha256:"
          + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] random(int size, long seed) {
    byte[] b = new byte[size];
    new Random(seed).nextBytes(b);
    return b;
  }

  @Test
  void roundTripsTextAndBinaryFiles() {
    byte[] text =
        ("# ünïcode ✓ " + UUID.randomUUID() + "\nprint('hello')\n")
            .getBytes(StandardCharsets.UTF_8);
    byte[] binary = new byte[1_500_000];
    new Random().nextBytes(binary);
    for (int i = 0; i < 256; i++) {
      binary[i] = (byte) i;
    }

    put("jobs/extract.py", text, "text/x-python; charset=utf-8")
        .then()
        .statusCode(201)
        .body("path", equalTo("jobs/extract.py"))
        .body("sizeBytes", equalTo(text.length))
        .body("digest", equalTo(sha256(text)))
        .body("modifiedBy", equalTo("alice"));
    put("data/blob.bin", binary, "application/octet-stream").then().statusCode(201);

    Response got = api().when().get(files() + "/jobs/extract.py");
    got.then()
        .statusCode(200)
        .header("ETag", "\"" + sha256(text) + "\"")
        .header("Content-Type", containsString("text/x-python"));
    assertThat(got.asByteArray()).isEqualTo(text);
    byte[] gotBinary =
        api().when().get(files() + "/data/blob.bin").then().statusCode(200).extract().asByteArray();
    assertThat(gotBinary).isEqualTo(binary);

    // the list: sorted, with sizes, digests and who changed what when
    Response list = api().when().get(files());
    list.then()
        .statusCode(200)
        .body("fileCount", equalTo(2))
        .body("items.path", equalTo(List.of("data/blob.bin", "jobs/extract.py")))
        .body("items[0].sizeBytes", equalTo(binary.length))
        .body("items[0].digest", equalTo(sha256(binary)))
        .body("items[1].modifiedBy", equalTo("alice"));
    assertThat(Instant.parse(list.path("items[1].modifiedAt")))
        .isBetween(Instant.now().minusSeconds(120), Instant.now().plusSeconds(5));
    assertThat(list.<Number>path("totalBytes").longValue()).isEqualTo(text.length + binary.length);

    // replacing answers 200; the new content is served
    byte[] text2 = "print('v2')\n".getBytes(StandardCharsets.UTF_8);
    put("jobs/extract.py", text2, "text/x-python").then().statusCode(200);
    assertThat(api().get(files() + "/jobs/extract.py").asByteArray()).isEqualTo(text2);

    // a conditional read of the current version is answered 304, without the bytes
    api()
        .header("If-None-Match", "\"" + sha256(text2) + "\"")
        .when()
        .get(files() + "/jobs/extract.py")
        .then()
        .statusCode(304);

    // move, then delete
    api()
        .contentType("application/json")
        .body(Map.of("from", "jobs/extract.py", "to", "jobs/load.py"))
        .when()
        .post(files() + ":move")
        .then()
        .statusCode(200)
        .body("path", equalTo("jobs/load.py"))
        .body("digest", equalTo(sha256(text2)));
    api()
        .get(files() + "/jobs/extract.py")
        .then()
        .statusCode(404)
        .body("code", equalTo("NOT_FOUND"));
    assertThat(api().get(files() + "/jobs/load.py").asByteArray()).isEqualTo(text2);
    api()
        .contentType("application/json")
        .body(Map.of("from", "jobs/load.py", "to", "data/blob.bin"))
        .when()
        .post(files() + ":move")
        .then()
        .statusCode(409)
        .body("code", equalTo("CONFLICT"));
    api().delete(files() + "/jobs/load.py").then().statusCode(204);
    api().delete(files() + "/jobs/load.py").then().statusCode(404);
    api().get(files()).then().statusCode(200).body("items.path", equalTo(List.of("data/blob.bin")));

    // an empty file is a file too
    put("empty.txt", new byte[0], "text/plain")
        .then()
        .statusCode(201)
        .body("sizeBytes", equalTo(0));
    assertThat(api().get(files() + "/empty.txt").then().statusCode(200).extract().asByteArray())
        .isEmpty();
  }

  @Test
  void pathAttacksAreRefusedWithAClearError() {
    put("ok/seed.txt", "x".getBytes(StandardCharsets.UTF_8), "text/plain").then().statusCode(201);
    Map<String, String> attacks = new LinkedHashMap<>();
    attacks.put("../escape.txt", "'..'");
    attacks.put("ok/../../escape.txt", "'..'");
    attacks.put("/etc/passwd", "absolute");
    attacks.put("a\u0000b", "NUL");
    attacks.put("a\nb", "control character");
    attacks.put("a\u001bb", "control character");
    attacks.put("a//b", "empty segment");
    attacks.put("dir/", "empty segment");
    attacks.put("./a", "'.'");
    attacks.put("a\\..\\b", "backslash");
    attacks.put("x".repeat(256), "255 bytes");
    attacks.put("dir/" + "é".repeat(128), "255 bytes");
    attacks.put("", "empty");
    for (Map.Entry<String, String> a : attacks.entrySet()) {
      api()
          .contentType("application/json")
          .body(Map.of("from", "ok/seed.txt", "to", a.getKey()))
          .when()
          .post(files() + ":move")
          .then()
          .statusCode(400)
          .body("code", equalTo("INVALID_INPUT"))
          .body("details[0].path", equalTo("to"))
          .body("message", containsString(a.getValue()));
    }
    // the same paths in the URL of a write, percent-encoded so the client sends them as they are
    Map<String, Integer> statuses = new LinkedHashMap<>();
    for (String raw :
        List.of(
            "%2E%2E/escape.txt",
            "ok/%2E%2E/%2E%2E/escape.txt",
            "a%00b",
            "a%0Ab",
            "a%1Bb",
            "a%5Cb",
            "%2Fetc%2Fpasswd",
            "x".repeat(256))) {
      Response r =
          api()
              .urlEncodingEnabled(false)
              .contentType("text/plain")
              .body("attack")
              .when()
              .put(files() + "/" + raw);
      statuses.put(raw, r.statusCode());
      if (r.statusCode() == 400) {
        r.then().body("code", equalTo("INVALID_INPUT")).body("details[0].path", equalTo("path"));
      }
    }
    System.out.println("path attacks in URLs: " + statuses);
    // dot segments are resolved by the HTTP layer before routing (RFC 3986), so those requests
    // never reach a file route (404); everything else reaches the path rules and is refused (400)
    assertThat(statuses)
        .allSatisfy(
            (raw, status) ->
                assertThat(status).as(raw).isEqualTo(raw.contains("%2E%2E") ? 404 : 400));
    // a name of exactly 255 bytes is fine
    put("y".repeat(255), "ok".getBytes(StandardCharsets.UTF_8), "text/plain")
        .then()
        .statusCode(201);
    api()
        .get(files())
        .then()
        .statusCode(200)
        .body("items.path", equalTo(List.of("ok/seed.txt", "y".repeat(255))));
    // bad scope names are refused too
    api()
        .contentType("text/plain")
        .body("x")
        .put("/api/v1/environments/" + env + "/pipelines/bad%20name/files/a.txt")
        .then()
        .statusCode(400)
        .body("details[0].path", equalTo("pipeline"));
  }

  @Test
  void limitsAreEnforcedWhileTheBodyStreams() throws Exception {
    // exactly at the per-file limit: accepted
    put("at-limit.bin", random((int) MAX_FILE, 1), "application/octet-stream")
        .then()
        .statusCode(201);

    // a declared length over the limit is refused without reading the body (a raw socket reads
    // the answer while the body is still being sent; an ordinary client may see the close first)
    Streamed declared = putStreaming("declared.bin", MAX_FILE + 1, false);
    assertThat(declared.status()).isEqualTo(413);
    assertThat(declared.body()).contains("TOO_LARGE").contains("per-file limit of 2 MiB");

    // a chunked body (no length) that never ends is cut off once past the limit
    long endless = 1024L * 1024 * 1024;
    Streamed cut = putStreaming("endless.bin", endless, true);
    assertThat(cut.status()).isEqualTo(413);
    assertThat(cut.body()).contains("TOO_LARGE").contains("per-file limit");
    assertThat(cut.sent())
        .as("the server stopped reading long before the end of the body")
        .isLessThan(endless / 4);

    // per pipeline: 2 + 2 MiB stored, 1 MiB left; a 1.5 MiB chunked upload is cut off
    put("second.bin", random((int) MAX_FILE, 3), "application/octet-stream").then().statusCode(201);
    Streamed over = putStreaming("third.bin", 1_572_864, true);
    assertThat(over.status()).isEqualTo(413);
    assertThat(over.body()).contains("per-pipeline limit of 5 MiB");
    Streamed overDeclared = putStreaming("third.bin", 1_572_864, false);
    assertThat(overDeclared.status()).isEqualTo(413);
    assertThat(overDeclared.body()).contains("per-pipeline limit");
    // replacing a file counts its new size only
    put("second.bin", random(1024, 5), "application/octet-stream").then().statusCode(200);
    put("third.bin", random(1_572_864, 6), "application/octet-stream").then().statusCode(201);

    // nothing of the refused uploads was kept
    api()
        .get(files())
        .then()
        .statusCode(200)
        .body("items.path", equalTo(List.of("at-limit.bin", "second.bin", "third.bin")));
  }

  /** The answer to a streamed upload, and how many body bytes were sent before it stopped. */
  record Streamed(int status, String body, long sent) {}

  /**
   * PUT of {@code size} generated bytes over a raw socket, chunked (no length) or with a
   * Content-Length: one thread sends while this one reads the answer, so an answer that comes
   * before the body ends is seen.
   */
  Streamed putStreaming(String path, long size, boolean chunked) throws Exception {
    AtomicLong sent = new AtomicLong();
    try (Socket socket = new Socket(Api.base().getHost(), Api.base().getPort())) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      Thread writer =
          new Thread(
              () -> {
                try {
                  out.write(
                      ("PUT "
                              + files()
                              + "/"
                              + path
                              + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                              + Api.TOKEN
                              + "\r\nContent-Type: application/octet-stream\r\n"
                              + (chunked
                                  ? "Transfer-Encoding: chunked\r\n\r\n"
                                  : "Content-Length: " + size + "\r\n\r\n"))
                          .getBytes(StandardCharsets.US_ASCII));
                  byte[] chunk = new byte[64 * 1024];
                  java.util.Arrays.fill(chunk, (byte) 'z');
                  while (sent.get() < size) {
                    int n = (int) Math.min(chunk.length, size - sent.get());
                    if (chunked) {
                      out.write(
                          (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    }
                    out.write(chunk, 0, n);
                    if (chunked) {
                      out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                    }
                    sent.addAndGet(n);
                  }
                  if (chunked) {
                    out.write("0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                  }
                  out.flush();
                } catch (IOException closedByServer) {
                  // expected when the server cuts the upload off
                }
              },
              "upload-writer");
      writer.start();
      InputStream in = socket.getInputStream();
      String status = readLine(in);
      int length = 0;
      String line;
      while (!(line = readLine(in)).isEmpty()) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
          length = Integer.parseInt(line.substring(15).strip());
        }
      }
      String body = new String(in.readNBytes(length), StandardCharsets.UTF_8);
      socket.close();
      writer.join(60_000);
      return new Streamed(Integer.parseInt(status.split(" ")[1]), body, sent.get());
    }
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder();
    int c;
    while ((c = in.read()) >= 0 && c != '\n') {
      if (c != '\r') {
        b.append((char) c);
      }
    }
    return b.toString();
  }

  @Test
  void bundlesAreDeterministicImmutableAndStoredOnce() throws Exception {
    String marker = UUID.randomUUID().toString();
    Map<String, byte[]> content = new LinkedHashMap<>();
    content.put("main.py", ("print('" + marker + "')\n").getBytes(StandardCharsets.UTF_8));
    content.put("lib/util.sh", "echo util\n".getBytes(StandardCharsets.UTF_8));
    content.put("data/weights.bin", random(300_000, marker.hashCode()));
    content.put("lib/zz/" + "n".repeat(120) + ".txt", "long path".getBytes(StandardCharsets.UTF_8));
    content.put("é/ünïcode.txt", "utf-8 name".getBytes(StandardCharsets.UTF_8));
    content.forEach((p, b) -> put(p, b, "application/octet-stream").then().statusCode(201));

    Response first = api().post(files().replace("/files", "/bundles"));
    first.then().statusCode(201).body("files", equalTo(content.size()));
    String digest = first.path("digest");
    assertThat(digest).matches("sha256:[0-9a-f]{64}");

    // the same files, written in another order to another pipeline, give the same bytes
    String pipeline2 = unique("pipe");
    List<String> reversed = new ArrayList<>(content.keySet());
    java.util.Collections.reverse(reversed);
    for (String p : reversed) {
      api()
          .contentType("application/octet-stream")
          .body(content.get(p))
          .put("/api/v1/environments/" + env + "/pipelines/" + pipeline2 + "/files/" + p)
          .then()
          .statusCode(201);
    }
    String again =
        api()
            .post(files().replace("/files", "/bundles"))
            .then()
            .statusCode(201)
            .extract()
            .path("digest");
    String other =
        api()
            .post("/api/v1/environments/" + env + "/pipelines/" + pipeline2 + "/bundles")
            .then()
            .statusCode(201)
            .extract()
            .path("digest");
    assertThat(again).isEqualTo(digest);
    assertThat(other).isEqualTo(digest);

    // download: the bytes hash to the digest, immutable caching, and a tar any tool can read
    Response dl = api().get("/api/v1/bundles/" + digest);
    dl.then()
        .statusCode(200)
        .header("ETag", "\"" + digest + "\"")
        .header("Cache-Control", "public, max-age=31536000, immutable")
        .header("Content-Type", containsString("application/gzip"));
    byte[] archive = dl.asByteArray();
    assertThat(sha256(archive)).isEqualTo(digest);
    Map<String, byte[]> unpacked = new LinkedHashMap<>();
    try (TarArchiveInputStream tar =
        new TarArchiveInputStream(
            new GZIPInputStream(new ByteArrayInputStream(archive)), "UTF-8")) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        assertThat(e.getMode() & 07777).isEqualTo(0644);
        assertThat(e.getLongUserId()).isZero();
        assertThat(e.getUserName()).isEmpty();
        assertThat(e.getModTime().toInstant()).isEqualTo(Instant.parse("1980-01-01T00:00:00Z"));
        unpacked.put(e.getName(), tar.readAllBytes());
      }
    }
    assertThat(unpacked.keySet())
        .containsExactly(
            "data/weights.bin",
            "lib/util.sh",
            "lib/zz/" + "n".repeat(120) + ".txt",
            "main.py",
            "é/ünïcode.txt");
    content.forEach((p, b) -> assertThat(unpacked.get(p)).as(p).isEqualTo(b));

    // the bundle blob is stored once, however often it was published
    assertThat(registrations(digest)).isEqualTo(1);

    // 304 for a cache that has it
    api()
        .header("If-None-Match", "\"" + digest + "\"")
        .get("/api/v1/bundles/" + digest)
        .then()
        .statusCode(304)
        .header("ETag", "\"" + digest + "\"");

    // one byte changed: another digest
    byte[] changed = content.get("data/weights.bin").clone();
    changed[1000] ^= 1;
    put("data/weights.bin", changed, "application/octet-stream").then().statusCode(200);
    String changedDigest =
        api()
            .post(files().replace("/files", "/bundles"))
            .then()
            .statusCode(201)
            .extract()
            .path("digest");
    assertThat(changedDigest).isNotEqualTo(digest);

    // unknown and malformed digests
    api().get("/api/v1/bundles/sha256:" + "0".repeat(64)).then().statusCode(404);
    api()
        .get("/api/v1/bundles/md5:abc")
        .then()
        .statusCode(400)
        .body("code", equalTo("INVALID_INPUT"));

    // BundlePublished went out through the outbox
    assertThat(awaitPublished(digest, pipeline2)).isNotNull();

    // metrics: downloads and cache validations are counted per backend
    String metrics = api().get("/q/metrics").asString();
    assertThat(metrics)
        .contains(
            "dataplane_filestore_downloads_total{backend=\"" + backend() + "\",kind=\"bundle\"")
        .contains("dataplane_filestore_cache_validations_total{backend=\"" + backend() + "\"")
        .contains("dataplane_filestore_stored_bytes{backend=\"" + backend() + "\"")
        .contains("dataplane_filestore_uploads_total{backend=\"" + backend() + "\"");
  }

  int registrations(String digest) throws Exception {
    try (var c = dataSource.getConnection();
        var ps =
            c.prepareStatement("select count(*) from blobs where backend = ? and digest = ?")) {
      ps.setString(1, store.location());
      ps.setString(2, digest.substring("sha256:".length()));
      try (var rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  @Inject io.agroal.api.AgroalDataSource dataSource;

  BundlePublished awaitPublished(String digest, String pipelineName) {
    Properties props = new Properties();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9092");
    props.put(ConsumerConfig.GROUP_ID_CONFIG, unique("filestore-test"));
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    EventCodec codec = new EventCodec();
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.BUNDLE_EVENTS));
      BundlePublished[] found = new BundlePublished[1];
      Awaitility.await()
          .atMost(Duration.ofSeconds(30))
          .until(
              () -> {
                for (ConsumerRecord<String, byte[]> r : consumer.poll(Duration.ofMillis(500))) {
                  EventEnvelope<?> e;
                  try {
                    e = codec.decode(r.value());
                  } catch (RuntimeException ignored) {
                    continue; // not ours
                  }
                  if (e.payload() instanceof BundlePublished b
                      && b.digest().equals(digest)
                      && b.pipeline().equals(pipelineName)
                      && b.environment().equals(env)) {
                    assertThat(r.key()).isEqualTo(digest);
                    assertThat(e.source()).isEqualTo("filestore-service");
                    found[0] = b;
                  }
                }
                return found[0] != null;
              });
      return found[0];
    }
  }

  @Test
  void corruptBlobsAreReportedAndNeverServed() throws Exception {
    byte[] bytes = ("print('" + UUID.randomUUID() + "')\n").getBytes(StandardCharsets.UTF_8);
    put("victim.py", bytes, "text/x-python").then().statusCode(201);
    String bundle =
        api()
            .post(files().replace("/files", "/bundles"))
            .then()
            .statusCode(201)
            .extract()
            .path("digest");
    double before = corruptCount();

    // damage the stored bundle and the stored file behind the service's back
    Path bad = Files.createTempFile("bad", ".bin");
    try {
      Files.write(bad, "not what was stored".getBytes(StandardCharsets.UTF_8));
      store.write(bundle.substring(7), bad, Files.size(bad));
      store.write(sha256(bytes).substring(7), bad, Files.size(bad));
    } finally {
      Files.delete(bad);
    }

    api()
        .get("/api/v1/bundles/" + bundle)
        .then()
        .statusCode(500)
        .body("code", equalTo("CORRUPT"))
        .body("message", containsString(bundle));
    api().get(files() + "/victim.py").then().statusCode(500).body("code", equalTo("CORRUPT"));
    // a bundle built from a corrupt file is refused as well, not built from bad bytes
    api()
        .post(files().replace("/files", "/bundles"))
        .then()
        .statusCode(500)
        .body("code", equalTo("CORRUPT"));
    assertThat(corruptCount()).isGreaterThanOrEqualTo(before + 3);

    // a blob that vanished is reported the same way
    store.delete(sha256(bytes).substring(7));
    api().get(files() + "/victim.py").then().statusCode(500).body("code", equalTo("CORRUPT"));
  }

  double corruptCount() {
    String line =
        api()
            .get("/q/metrics")
            .asString()
            .lines()
            .filter(
                l -> l.startsWith("dataplane_filestore_corrupt_blobs_total{backend=\"" + backend()))
            .findFirst()
            .orElse("x 0");
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }

  @Inject io.dataplane.filestore.service.BlobService blobService;

  @Test
  void blobsNothingRefersToAreCollectedBundlesNever() throws Exception {
    byte[] v1 = ("v1 " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    byte[] v2 = ("v2 " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    byte[] kept = ("kept " + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8);
    put("gc/file.txt", v1, "text/plain").then().statusCode(201);
    put("gc/kept.txt", kept, "text/plain").then().statusCode(201);
    String bundle =
        api()
            .post(files().replace("/files", "/bundles"))
            .then()
            .statusCode(201)
            .extract()
            .path("digest");
    put("gc/file.txt", v2, "text/plain").then().statusCode(200);
    api().delete(files() + "/gc/kept.txt").then().statusCode(204);

    // used a moment ago: left alone within the grace period
    blobService.collectUnreferenced(Duration.ofHours(1), 10_000);
    assertThat(registrations(sha256(v1))).isEqualTo(1);

    blobService.collectUnreferenced(Duration.ZERO, 10_000);
    assertThat(registrations(sha256(v1))).isZero();
    assertThat(registrations(sha256(kept))).isZero();
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> store.open(sha256(v1).substring(7)))
        .isInstanceOf(BlobStore.NoSuchBlobException.class);
    // what is referenced stays: the current file and the bundle
    assertThat(api().get(files() + "/gc/file.txt").then().statusCode(200).extract().asByteArray())
        .isEqualTo(v2);
    byte[] archive =
        api().get("/api/v1/bundles/" + bundle).then().statusCode(200).extract().asByteArray();
    assertThat(sha256(archive)).isEqualTo(bundle);
    // the same content written again is stored again
    put("gc/again.txt", v1, "text/plain").then().statusCode(201);
    assertThat(api().get(files() + "/gc/again.txt").asByteArray()).isEqualTo(v1);
  }

  @Test
  void concurrentWritersOfOnePathLastWriteWinsNothingTorn() throws Exception {
    int writers = 6;
    int rounds = 3;
    Map<String, byte[]> byDigest = new java.util.concurrent.ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(writers);
    try {
      List<Future<List<String[]>>> results = new ArrayList<>();
      for (int w = 0; w < writers; w++) {
        int writer = w;
        Callable<List<String[]>> task =
            () -> {
              List<String[]> done = new ArrayList<>();
              for (int r = 0; r < rounds; r++) {
                byte[] b =
                    random(400_000 + writer * 1000 + r, writer * 100L + r + System.nanoTime());
                byDigest.put(sha256(b), b);
                Response resp = put("shared/config.bin", b, "application/octet-stream");
                assertThat(resp.statusCode()).isIn(200, 201);
                done.add(new String[] {resp.path("digest"), resp.path("modifiedAt")});
              }
              return done;
            };
        results.add(pool.submit(task));
      }
      List<String[]> all = new ArrayList<>();
      for (Future<List<String[]>> f : results) {
        all.addAll(f.get());
      }
      // the file is whole: exactly the bytes of one write, and the last one committed
      byte[] now =
          api().get(files() + "/shared/config.bin").then().statusCode(200).extract().asByteArray();
      String digest = sha256(now);
      assertThat(byDigest).containsKey(digest);
      assertThat(now).isEqualTo(byDigest.get(digest));
      String[] last =
          all.stream().max(java.util.Comparator.comparing(a -> Instant.parse(a[1]))).orElseThrow();
      assertThat(digest).isEqualTo(last[0]);
      api()
          .get(files())
          .then()
          .body("fileCount", equalTo(1))
          .body("items[0].digest", equalTo(digest));
    } finally {
      pool.shutdownNow();
    }
  }
}
