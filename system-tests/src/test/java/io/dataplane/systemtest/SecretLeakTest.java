package io.dataplane.systemtest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.common.json.Json;
import io.dataplane.demo.GraphQLClient;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A secret never leaks, end to end: alice sets a secret, and Bash and Python tasks that declare it
 * print it in every form the worker promises to redact (docs/worker.md), write it into their output
 * JSON and into an output that is not JSON at all. Then no form of the value is anywhere a user or
 * an operator could look: the stored logs (GraphQL {@code logs} and {@code logTail}, the
 * orchestrator's REST API), every GraphQL answer of the test (runs, task runs, attempts, outputs,
 * errors, secrets, audit), and every service's own log. A task that does not declare the secret
 * gets neither the secret nor, through its upstream's outputs, its value.
 */
class SecretLeakTest {

  static final String GROUP = "sl-" + UUID.randomUUID().toString().substring(0, 8);
  static final String ENV = "sl-" + UUID.randomUUID().toString().substring(0, 8);
  static final String PIPELINE = "leaky";
  static final String SECRET_NAME = "LEAK_TOKEN";

  /** Random, and in the value: found in any text, it is a leak of (part of) the secret. */
  static final String CORE = HexFormat.of().formatHex(new SecureRandom().generateSeed(8));

  /**
   * Starts with letters and digits (a JSON parser quotes such a token in its error message), then
   * everything that makes the encodings differ from each other: "/" and "+" (base64 alphabets, URL
   * path style), '"' and "\" (JSON), space, "&", "%", "~" and "*" (URL encodings), non-ASCII in
   * two, three and four UTF-8 bytes (JSON ASCII escapes, surrogate pairs).
   */
  static final String SECRET = "dpLeak" + CORE + "/+\"q\" & ä€😀 ~*'\\=%<>;end";

  static final String LEAK_PY =
      """
      import base64, json, os, sys, time, urllib.parse as u

      s = os.environ["LEAK_TOKEN"]
      b = s.encode()
      bs = chr(92)
      print("py-plain=" + s)
      for k, pre in enumerate([b"", b"a", b"ab"]):
          print("py-b64k%d=%s" % (k, base64.b64encode(pre + b + b"tail").decode()))
          print("py-b64url%d=%s" % (k, base64.urlsafe_b64encode(pre + b).decode()))
      print("py-quote=" + u.quote(s))
      print("py-quote-safe=" + u.quote(s, safe=""))
      print("py-quote-plus=" + u.quote_plus(s))
      print("py-urlencode=" + u.urlencode({"token": s}))
      print("py-json=" + json.dumps({"token": s}))
      print("py-json-utf8=" + json.dumps({"token": s}, ensure_ascii=False))
      print("py-json-slash=" + json.dumps(s).replace("/", bs + "/"))
      print("py-hex=" + b.hex())
      print("py-HEX=" + b.hex().upper())
      print("py-stderr=" + s, file=sys.stderr)
      # one value in two writes of the process
      sys.stdout.write("py-split=" + s[:7])
      sys.stdout.flush()
      time.sleep(0.3)
      print(s[7:] + "|")
      with open(os.environ["DP_OUTPUT"], "w") as f:
          json.dump({"plain": s, "embedded": "token=" + s + ";",
                     "b64": base64.b64encode(b).decode(),
                     "nested": {"list": [s, u.quote_plus(s)]}, s: "as a key", "rows": 42}, f)
      """;

  static String definition() {
    return """
        workerGroup: %s
        tasks:
          - key: bash-prints
            runtime: bash
            secrets: [LEAK_TOKEN]
            script: |
              S="$LEAK_TOKEN"
              echo "plain=$S"
              echo "embedded=before${S}after"
              echo "b64k0=$(printf '%%s' "$S" | base64 -w0)"
              echo "b64k1=$(printf 'a%%s' "$S" | base64 -w0)"
              echo "b64k2=$(printf 'ab%%stail' "$S" | base64 -w0)"
              echo "b64url=$(printf '%%s' "$S" | basenc --base64url -w0)"
              echo "hex=$(printf '%%s' "$S" | od -An -v -tx1 | tr -d '[:space:]')"
              echo "HEX=$(printf '%%s' "$S" | basenc --base16 -w0)"
              echo "stderr=$S" >&2
              printf 'split=%%s' "${S:0:9}"
              sleep 0.3
              echo "${S:9}|"
              env | sort
          - key: python-prints
            runtime: python
            entrypoint: leak.py
            secrets: [LEAK_TOKEN]
          - key: no-secret
            runtime: bash
            dependsOn: [python-prints]
            script: |
              echo "declared=${LEAK_TOKEN:-unset}"
              echo "inputs=$(cat "$DP_INPUTS")"
              env | sort
              if [ -n "${LEAK_TOKEN:-}" ]; then has=true; else has=false; fi
              echo "{\\"hasSecret\\": $has}" > "$DP_OUTPUT"
          - key: bad-output
            runtime: bash
            secrets: [LEAK_TOKEN]
            script: |
              printf '%%s' "$LEAK_TOKEN" > "$DP_OUTPUT"
        """
        .formatted(GROUP);
  }

  static Platform platform;

  @BeforeAll
  static void start() throws Exception {
    platform = Platform.start(GROUP, Map.of());
  }

  @AfterAll
  static void stop() {
    if (platform != null) {
      platform.close();
    }
  }

  @Test
  void theSecretAppearsNowhereInAnyForm() throws Exception {
    RecordedGraphQL alice = new RecordedGraphQL(platform, "alice");
    alice.data("mutation($e: String!) { createEnvironment(name: $e) { name } }", Map.of("e", ENV));
    alice.data(
        "mutation($e: String!, $g: String!) { createWorkerGroup(environment: $e, name: $g) { name } }",
        Map.of("e", ENV, "g", GROUP));
    alice.data(
        "mutation($e: String!, $n: String!, $v: String!) { setSecret(environment: $e, name: $n, value: $v) { name version } }",
        Map.of("e", ENV, "n", SECRET_NAME, "v", SECRET));
    alice.data(
        "mutation($e: String!, $n: String!, $p: [String]) { grantSecret(environment: $e, name: $n, pipelines: $p) { name grants { pipelines } } }",
        Map.of("e", ENV, "n", SECRET_NAME, "p", List.of(PIPELINE)));
    alice.data(
        "mutation($e: String!, $p: String!, $d: String!) { savePipeline(environment: $e, name: $p, definition: $d) { name } }",
        Map.of("e", ENV, "p", PIPELINE, "d", definition()));
    alice.data(
        "mutation($e: String!, $p: String!, $c: String!) { writeFile(environment: $e, pipeline: $p, path: \"leak.py\", content: $c) { path } }",
        Map.of("e", ENV, "p", PIPELINE, "c", LEAK_PY));
    alice.data(
        "mutation($e: String!, $p: String!) { releasePipeline(environment: $e, pipeline: $p) { id bundleDigest } }",
        Map.of("e", ENV, "p", PIPELINE));
    String runId =
        alice
            .data(
                "mutation($e: String!, $p: String!) { startRun(environment: $e, pipeline: $p) { id } }",
                Map.of("e", ENV, "p", PIPELINE))
            .path("startRun")
            .path("id")
            .asText();
    List<String> updates = new CopyOnWriteArrayList<>();
    GraphQLClient.Subscription runUpdates =
        alice.subscribe(
            "subscription($r: String!) { runUpdates(runId: $r) { kind taskKey state error } }",
            Map.of("r", runId),
            d -> updates.add(d.path("runUpdates").toString()));

    JsonNode[] run = {null};
    await("the run ends")
        .atMost(Duration.ofMinutes(3))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              run[0] = queryRun(alice, runId);
              return Set.of("SUCCEEDED", "FAILED", "CANCELLED")
                  .contains(run[0].path("state").asText());
            });
    runUpdates.close();
    Map<String, JsonNode> tasks = new LinkedHashMap<>();
    run[0].path("taskRuns").forEach(t -> tasks.put(t.path("taskKey").asText(), t));
    Map<String, String> states = new HashMap<>();
    tasks.forEach((k, t) -> states.put(k, t.path("state").asText()));
    assertThat(states)
        .as(run[0].toPrettyString())
        .containsExactlyInAnyOrderEntriesOf(
            Map.of(
                "bash-prints", "SUCCEEDED",
                "python-prints", "SUCCEEDED",
                "no-secret", "SUCCEEDED",
                "bad-output", "FAILED"));
    assertThat(run[0].path("state").asText()).isEqualTo("FAILED");

    // the stored logs, through GraphQL, logTail and the orchestrator's REST API
    Map<String, List<String>> logs = new LinkedHashMap<>();
    List<String> restAnswers = new ArrayList<>();
    for (Map.Entry<String, JsonNode> t : tasks.entrySet()) {
      String taskRunId = t.getValue().path("id").asText();
      JsonNode page =
          alice
              .data(
                  "query($t: String!, $r: String) { logs(taskRunId: $t, runId: $r, limit: 5000) { lines { seq stream text } complete } }",
                  Map.of("t", taskRunId, "r", runId))
              .path("logs");
      List<String> lines = new ArrayList<>();
      page.path("lines")
          .forEach(l -> lines.add(l.path("stream").asText() + " " + l.path("text").asText()));
      logs.put(t.getKey(), lines);
      assertThat(tailed(alice, taskRunId, runId)).as(t.getKey()).containsAll(lines);
      restAnswers.add(orchestrator("/api/v1/task-runs/" + taskRunId + "/logs?limit=5000"));
    }
    restAnswers.add(orchestrator("/api/v1/runs/" + runId));

    List<String> bash = logs.get("bash-prints");
    assertThat(bash)
        .as("bash-prints log")
        .contains(
            "stdout plain=***",
            "stdout embedded=before***after",
            "stdout hex=***",
            "stdout HEX=***",
            "stdout LEAK_TOKEN=***",
            "stderr stderr=***");
    for (String p : List.of("b64k0=", "b64k1=", "b64k2=", "b64url=")) {
      assertThat(bash).anySatisfy(l -> assertThat(l).startsWith("stdout " + p).contains("***"));
    }
    // the start of a value written apart from its end was held back, not sent; the text before
    // it may go out as a line of its own after the flush interval (docs/worker.md)
    assertThat(stdout(bash)).contains("split=***|");
    List<String> py = logs.get("python-prints");
    assertThat(py)
        .as("python-prints log")
        .contains(
            "stdout py-plain=***",
            "stdout py-quote=***",
            "stdout py-quote-safe=***",
            "stdout py-quote-plus=***",
            "stdout py-urlencode=token=***",
            "stdout py-json={\"token\": \"***\"}",
            "stdout py-json-utf8={\"token\": \"***\"}",
            "stdout py-json-slash=\"***\"",
            "stdout py-hex=***",
            "stdout py-HEX=***",
            "stderr py-stderr=***");
    for (int k = 0; k < 3; k++) {
      for (String p : List.of("py-b64k" + k + "=", "py-b64url" + k + "=")) {
        assertThat(py).anySatisfy(l -> assertThat(l).startsWith("stdout " + p).contains("***"));
      }
    }

    assertThat(stdout(py)).contains("py-split=***|");
    assertThat(logs.values().stream().flatMap(List::stream))
        .as("no line holds the start of the value")
        .noneMatch(l -> l.contains(SECRET.substring(0, 6)));

    // outputs: redacted like the log (docs/worker.md), also for the downstream task's inputs
    JsonNode out = tasks.get("python-prints").path("outputs");
    assertThat(out.path("plain").asText()).isEqualTo("***");
    assertThat(out.path("embedded").asText()).isEqualTo("token=***;");
    assertThat(out.path("b64").asText()).contains("***");
    assertThat(out.path("nested").path("list").get(0).asText()).isEqualTo("***");
    assertThat(out.path("nested").path("list").get(1).asText()).isEqualTo("***");
    assertThat(out.path("***").asText()).isEqualTo("as a key");
    assertThat(out.path("rows").asInt()).isEqualTo(42);

    // a task that does not declare the secret gets it neither in its environment nor its inputs
    List<String> plain = logs.get("no-secret");
    assertThat(plain).contains("stdout declared=unset");
    assertThat(plain).noneSatisfy(l -> assertThat(l).startsWith("stdout " + SECRET_NAME + "="));
    assertThat(plain)
        .anySatisfy(l -> assertThat(l).startsWith("stdout inputs=").contains("\"plain\":\"***\""));
    assertThat(tasks.get("no-secret").path("outputs").path("hasSecret").asBoolean(true)).isFalse();

    // an output that is not JSON: the reason says where, not what
    assertThat(tasks.get("bad-output").path("error").asText())
        .startsWith("output is not valid JSON (line 1, column ");

    // reads of the secret: one per declaring task, none by the task that does not declare it
    JsonNode audit =
        alice
            .data(
                "query($e: String!, $n: String!) { secretAudit(environment: $e, name: $n) { action outcome taskRunId actor reason } }",
                Map.of("e", ENV, "n", SECRET_NAME))
            .path("secretAudit");
    Set<String> readers = new LinkedHashSet<>();
    audit.forEach(
        a -> {
          if ("READ".equals(a.path("action").asText())) {
            assertThat(a.path("outcome").asText()).as(a.toString()).isEqualTo("GRANTED");
            readers.add(a.path("taskRunId").asText());
          }
        });
    assertThat(readers)
        .containsExactlyInAnyOrder(
            tasks.get("bash-prints").path("id").asText(),
            tasks.get("python-prints").path("id").asText(),
            tasks.get("bad-output").path("id").asText());

    // more answers a user would look at
    alice.data(
        "query($e: String!) { secrets(environment: $e) { name version grants { pipelines } lastReadAt } }",
        Map.of("e", ENV));
    alice.data(
        "query($e: String!, $n: String!) { secret(environment: $e, name: $n) { name version } }",
        Map.of("e", ENV, "n", SECRET_NAME));
    alice.data(
        "query($e: String!) { auditLog(environment: $e, limit: 100) { action target summary outcome } }",
        Map.of("e", ENV));
    alice.data(
        "query($e: String!) { runs(environment: $e) { items { id state params error } } }",
        Map.of("e", ENV));
    assertThat(updates).isNotEmpty();

    // and now: not one form of the value anywhere
    List<String> forms = forms(SECRET);
    List<String> places = new ArrayList<>();
    for (JsonNode answer : alice.answers()) {
      places.add(answer.toString());
      places.addAll(texts(answer));
    }
    for (String r : restAnswers) {
      places.add(r);
      places.addAll(texts(Json.mapper().readTree(r)));
    }
    assertThat(places).isNotEmpty();
    String serviceLogs = platform.allServiceLogs();
    List<String> leaks = new ArrayList<>();
    for (String form : forms) {
      for (String place : places) {
        if (place.contains(form)) {
          leaks.add("answer holds " + form + ": " + place);
        }
      }
      if (serviceLogs.contains(form)) {
        leaks.add("service log holds " + form);
      }
    }
    assertThat(leaks).isEmpty();
    // the secret is long enough to be masked and was really printed: the masks are there
    assertThat(String.join("\n", places)).contains("***");
  }

  private static JsonNode queryRun(RecordedGraphQL gql, String runId) throws Exception {
    return gql.data(
            "query($id: String!) { run(id: $id) { id state error params taskRuns { id taskKey state"
                + " outputs error attempts { attempt state outcome exitCode error outputs } } } }",
            Map.of("id", runId))
        .path("run");
  }

  /** The log of a task run as logTail delivers it, up to the attempt's status line. */
  private static List<String> tailed(RecordedGraphQL gql, String taskRunId, String runId)
      throws Exception {
    List<String> lines = new CopyOnWriteArrayList<>();
    try (GraphQLClient.Subscription sub =
        gql.subscribe(
            "subscription($t: String!, $r: String) { logTail(taskRunId: $t, runId: $r) { stream text } }",
            Map.of("t", taskRunId, "r", runId),
            d ->
                lines.add(
                    d.path("logTail").path("stream").asText()
                        + " "
                        + d.path("logTail").path("text").asText()))) {
      await("logTail of " + taskRunId)
          .atMost(Duration.ofSeconds(30))
          .until(() -> lines.stream().anyMatch(l -> l.startsWith("system attempt finished")));
    }
    return lines;
  }

  /** An answer of the orchestrator's REST API, called with the service token. */
  private static String orchestrator(String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .build()
            .send(
                HttpRequest.newBuilder(URI.create(platform.url("orchestrator-service") + path))
                    .header("Authorization", "Bearer " + ServiceProcess.gatewayToken())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return r.body();
  }

  /** The stdout of a log as one text, lines cut by the worker's flush joined again. */
  private static String stdout(List<String> lines) {
    StringBuilder b = new StringBuilder();
    for (String l : lines) {
      if (l.startsWith("stdout ")) {
        b.append(l.substring("stdout ".length()));
      }
    }
    return b.toString();
  }

  /** Every string and field name inside a JSON answer, decoded. */
  static List<String> texts(JsonNode node) {
    List<String> out = new ArrayList<>();
    if (node.isTextual()) {
      out.add(node.textValue());
    } else if (node.isContainerNode()) {
      if (node.isObject()) {
        Iterator<String> names = node.fieldNames();
        names.forEachRemaining(out::add);
      }
      node.forEach(child -> out.addAll(texts(child)));
    }
    return out;
  }

  /**
   * What must not be seen: the random core of the value, its start, the value, and every form the
   * worker promises to mask, computed here independently of the worker's code.
   */
  static List<String> forms(String value) {
    byte[] bytes = value.getBytes(StandardCharsets.UTF_8);
    Set<String> f = new LinkedHashSet<>();
    f.add(CORE);
    // its start, as a parser's error message or a value cut in two would show it
    f.add(value.substring(0, 10));
    f.add(value);
    for (int k = 0; k < 3; k++) {
      // the characters that depend on the value's bytes alone, when it starts k bytes into a group
      byte[] shifted = new byte[k + bytes.length];
      System.arraycopy(bytes, 0, shifted, k, bytes.length);
      String b64 = Base64.getEncoder().withoutPadding().encodeToString(shifted);
      String core = b64.substring((8 * k + 5) / 6, (8 * (k + bytes.length)) / 6);
      f.add(core);
      f.add(core.replace('+', '-').replace('/', '_'));
    }
    String javaForm = URLEncoder.encode(value, StandardCharsets.UTF_8);
    String rfc3986 = percent(bytes, "-._~");
    for (String url :
        List.of(
            javaForm,
            javaForm.replace("+", "%20"),
            rfc3986,
            rfc3986.replace("%20", "+"),
            percent(bytes, "-._~/"))) {
      f.add(url);
      f.add(lowerEscapes(url));
    }
    String json = value.replace("\\", "\\\\").replace("\"", "\\\"");
    f.add(json);
    f.add(json.replace("/", "\\/"));
    StringBuilder lower = new StringBuilder();
    StringBuilder upper = new StringBuilder();
    for (char c : json.toCharArray()) {
      lower.append(c < 0x80 ? String.valueOf(c) : String.format(Locale.ROOT, "\\u%04x", (int) c));
      upper.append(c < 0x80 ? String.valueOf(c) : String.format(Locale.ROOT, "\\u%04X", (int) c));
    }
    f.add(lower.toString());
    f.add(upper.toString());
    f.add(lower.toString().replace("/", "\\/"));
    f.add(HexFormat.of().formatHex(bytes));
    f.add(HexFormat.of().withUpperCase().formatHex(bytes));
    return List.copyOf(f);
  }

  private static String percent(byte[] bytes, String safe) {
    StringBuilder sb = new StringBuilder();
    for (byte b : bytes) {
      int c = b & 0xff;
      if (Character.isLetterOrDigit(c) && c < 0x80 || c < 0x80 && safe.indexOf(c) >= 0) {
        sb.append((char) c);
      } else {
        sb.append(String.format(Locale.ROOT, "%%%02X", c));
      }
    }
    return sb.toString();
  }

  private static String lowerEscapes(String url) {
    return Pattern.compile("%[0-9A-F]{2}")
        .matcher(url)
        .replaceAll(m -> m.group().toLowerCase(Locale.ROOT));
  }
}
