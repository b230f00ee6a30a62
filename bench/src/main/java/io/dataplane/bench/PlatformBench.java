package io.dataplane.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Benchmarks of the running platform (started by {@code dev/services up}), driven through the
 * orchestrator's REST API with the local service token:
 *
 * <ul>
 *   <li>{@code chain40-bash}, {@code chain40-python}: 40 sequential tasks; makespan, per-task
 *       overhead = (makespan − Σ task durations) / 40, dispatch latency (ready → started).
 *   <li>{@code fanout100}, {@code fanout1000}: one task, 100 or 1,000 parallel no-op tasks, one
 *       join; makespan, tasks/s and the ratio to a bare spawn loop of the same concurrency.
 *   <li>{@code fanout10000}: the same with 10,000 (one run, no warm-up); also the orchestrator's
 *       heap after the run and the database rows it keeps per task.
 *   <li>{@code runs1000}: 1,000 runs of a 3-task pipeline started at once; p50/p99 of each run's
 *       start-to-finish (created → finished) and the makespan of all.
 * </ul>
 *
 * Every benchmark prints the per-hop breakdown of its tasks, medians from the orchestrator's
 * timestamps: ready → dispatched → claimed → started → finished → next ready.
 *
 * <p>Each benchmark first warms the services up ({@link #warmUp}: 5,000 tasks) and then repeats its
 * run {@code -Druns=5} times; the figures are medians. Also printed: idle and peak RSS of each
 * service, CPU-seconds per 1,000 tasks.
 */
public final class PlatformBench {

  static final ObjectMapper JSON = new ObjectMapper().findAndRegisterModules();
  static final HttpClient HTTP =
      HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  final String orchestrator = System.getProperty("orchestrator", "http://127.0.0.1:8081");
  final String token;
  final Path pids;
  final String group = System.getProperty("group", "default");

  PlatformBench(Path root) throws Exception {
    this.pids = root.resolve(".dev/pids");
    String t = null;
    for (String line : Files.readAllLines(root.resolve(".dev/local-secrets.env"))) {
      if (line.startsWith("DATAPLANE_SERVICE_TOKENS_GATEWAY=")) {
        t = line.substring("DATAPLANE_SERVICE_TOKENS_GATEWAY=".length()).split(",")[0];
      }
    }
    this.token = t;
  }

  public static void main(String[] args) throws Exception {
    String name = args[0];
    PlatformBench b = new PlatformBench(Path.of(System.getProperty("root", ".")));
    int runs = Integer.getInteger("runs", 5);
    String def =
        switch (name) {
          case "chain40-bash" -> chain(b.group, "bash", "true");
          case "chain40-python" ->
              chain(
                  b.group,
                  "python",
                  "def fibo(n):\\n    return n if n < 2 else fibo(n - 1) + fibo(n - 2)\\nfibo(10)");
          case "fanout100" -> fanout(b.group, 100);
          case "fanout1000" -> fanout(b.group, 1000);
          case "fanout10000" -> fanout(b.group, 10000);
          case "runs1000" -> chain(b.group, "bash", "true", 3);
          default -> throw new IllegalArgumentException("unknown benchmark " + name);
        };
    if (name.equals("runs1000")) {
      b.runMany(name, def, Integer.getInteger("count", 1000));
      return;
    }
    b.run(name, def, name.equals("fanout10000") ? Integer.getInteger("runs", 1) : runs);
  }

  static String chain(String group, String runtime, String script) {
    return chain(group, runtime, script, 40);
  }

  static String chain(String group, String runtime, String script, int n) {
    StringBuilder y = new StringBuilder("workerGroup: " + group + "\ntasks:\n");
    for (int i = 0; i < n; i++) {
      y.append("  - key: t")
          .append(String.format("%02d", i))
          .append("\n    runtime: ")
          .append(runtime);
      y.append("\n    script: \"").append(script).append("\"\n");
      if (i > 0) {
        y.append("    dependsOn: [t").append(String.format("%02d", i - 1)).append("]\n");
      }
    }
    return y.toString();
  }

  static String fanout(String group, int n) {
    StringBuilder y = new StringBuilder("workerGroup: " + group + "\ntasks:\n");
    y.append("  - key: start\n    runtime: bash\n    script: \"true\"\n");
    StringBuilder join = new StringBuilder();
    for (int i = 0; i < n; i++) {
      String k = String.format("n%04d", i);
      y.append("  - key: ")
          .append(k)
          .append("\n    runtime: bash\n    script: \"true\"\n    dependsOn: [start]\n");
      join.append(i == 0 ? "" : ", ").append(k);
    }
    y.append("  - key: join\n    runtime: bash\n    script: \"true\"\n    dependsOn: [")
        .append(join)
        .append("]\n");
    return y.toString();
  }

  void run(String name, String definition, int runs) throws Exception {
    String env = "bench";
    String pipeline = release(env, name, definition);
    boolean big = name.equals("fanout10000");
    long[] rowsBefore = big ? dbRows() : null;

    Map<String, Long> idle = rss();
    Map<String, Object> f = Stats.figures(name);
    if (!big) {
      warmUp(env, pipeline, f);
    }
    long cpuBefore = cpuTicks();
    int tasks = 0;
    Map<String, Long> peak = new LinkedHashMap<>(idle);
    AtomicBoolean sampling = new AtomicBoolean(true);
    Thread sampler =
        new Thread(
            () -> {
              while (sampling.get()) {
                rss().forEach((k, v) -> peak.merge(k, v, Math::max));
                try {
                  Thread.sleep(100);
                } catch (InterruptedException e) {
                  return;
                }
              }
            });
    sampler.setDaemon(true);
    sampler.start();

    List<double[]> results = new ArrayList<>();
    List<Double> latencies = new ArrayList<>();
    Map<String, List<Double>> hops = new LinkedHashMap<>();
    for (int i = 0; i < runs; i++) {
      JsonNode run = one(env, pipeline);
      tasks += run.path("taskRuns").size();
      double makespan = millis(run.path("startedAt"), run.path("finishedAt"));
      double sum = 0;
      for (JsonNode tr : run.path("taskRuns")) {
        JsonNode last = tr.path("attempts").get(tr.path("attempts").size() - 1);
        sum += millis(last.path("startedAt"), last.path("finishedAt"));
        latencies.add(millis(tr.path("readyAt"), last.path("startedAt")));
      }
      results.add(new double[] {makespan, sum, run.path("taskRuns").size()});
      hops(run, dependencies(definition))
          .forEach((k, v) -> hops.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
    }
    sampling.set(false);
    long cpuAfter = cpuTicks();

    f.put("runs", runs);
    f.put("loadavg", Files.readString(Path.of("/proc/loadavg")).trim());
    double[] makespans = results.stream().mapToDouble(r -> r[0]).toArray();
    double[] overheads = results.stream().mapToDouble(r -> (r[0] - r[1]) / r[2]).toArray();
    double[] lat = latencies.stream().mapToDouble(Double::doubleValue).toArray();
    f.put("makespan_median_s", Stats.round(Stats.percentile(makespans, 50) / 1000, 3));
    if (name.startsWith("chain")) {
      f.put("per_task_overhead_median_ms", Stats.round(Stats.percentile(overheads, 50), 2));
    } else {
      double tps = results.get(0)[2] / (Stats.percentile(makespans, 50) / 1000);
      f.put("tasks_per_s", Stats.round(tps, 1));
      int concurrency = Integer.getInteger("slots", 4);
      double bare = bareSpawnRate(1000, concurrency);
      f.put("bare_spawn_per_s", Stats.round(bare, 1));
      f.put("ratio_to_bare_spawn", Stats.round(tps / bare, 3));
    }
    if (big) {
      long[] rowsAfter = dbRows();
      String[] tables = {"task_runs", "attempts", "outbox", "processed_events", "task_logs"};
      double total = 0;
      for (int i = 0; i < tables.length; i++) {
        double per = (rowsAfter[i] - rowsBefore[i]) / (double) Math.max(1, tasks);
        total += per;
        f.put("db_rows_per_task_" + tables[i], Stats.round(per, 2));
      }
      f.put("db_rows_per_task_total", Stats.round(total, 2));
      f.put("orchestrator_heap_used_mb", heapUsedMb());
    }
    putHops(f, hops);
    f.put("dispatch_latency_p50_ms", Stats.round(Stats.percentile(lat, 50), 2));
    f.put("dispatch_latency_p99_ms", Stats.round(Stats.percentile(lat, 99), 2));
    long hz = 100;
    f.put(
        "cpu_s_per_1000_tasks",
        Stats.round((cpuAfter - cpuBefore) / (double) hz / Math.max(1, tasks) * 1000, 2));
    idle.forEach((k, v) -> f.put("rss_idle_mb_" + k, v / 1024));
    peak.forEach((k, v) -> f.put("rss_peak_mb_" + k, v / 1024));
    f.put("rss_idle_mb_total", idle.values().stream().mapToLong(Long::longValue).sum() / 1024);
    Stats.printJson(f);
  }

  /** 1,000 runs of a small pipeline started at once (runs1000). */
  void runMany(String name, String definition, int count) throws Exception {
    String env = "bench";
    String pipeline = release(env, name, definition);
    one(env, pipeline); // warm-up
    ExecutorService pool = Executors.newFixedThreadPool(16);
    long t0 = System.nanoTime();
    List<Future<String>> starts = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      starts.add(pool.submit(() -> startRun(env, pipeline)));
    }
    List<String> ids = new ArrayList<>();
    for (Future<String> s : starts) {
      ids.add(s.get());
    }
    List<JsonNode> done = new ArrayList<>();
    List<String> open = new ArrayList<>(ids);
    Instant deadline = Instant.now().plus(Duration.ofMinutes(15));
    while (!open.isEmpty() && Instant.now().isBefore(deadline)) {
      List<Future<JsonNode>> reads = new ArrayList<>();
      for (String id : open) {
        reads.add(
            pool.submit(() -> JSON.readTree(call("GET", "/api/v1/runs/" + id, null, null).body())));
      }
      List<String> still = new ArrayList<>();
      for (int i = 0; i < open.size(); i++) {
        JsonNode run = reads.get(i).get();
        String state = run.path("state").asText();
        if (state.equals("SUCCEEDED") || state.equals("FAILED") || state.equals("CANCELLED")) {
          done.add(run);
        } else {
          still.add(open.get(i));
        }
      }
      open = still;
      if (!open.isEmpty()) {
        Thread.sleep(200);
      }
    }
    double wall = (System.nanoTime() - t0) / 1e6;
    pool.shutdown();
    long failed = done.stream().filter(r -> !r.path("state").asText().equals("SUCCEEDED")).count();
    double[] e2e =
        done.stream().mapToDouble(r -> millis(r.path("createdAt"), r.path("finishedAt"))).toArray();
    Map<String, List<Double>> hops = new LinkedHashMap<>();
    Map<String, List<String>> deps = dependencies(definition);
    for (JsonNode run : done) {
      hops(run, deps).forEach((k, v) -> hops.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
    }
    Map<String, Object> f = Stats.figures(name);
    f.put("runs", count);
    f.put("loadavg", Files.readString(Path.of("/proc/loadavg")).trim());
    f.put("succeeded", done.size() - failed);
    f.put("not_succeeded", failed + open.size());
    f.put("start_to_finish_p50_ms", Stats.round(Stats.percentile(e2e, 50), 1));
    f.put("start_to_finish_p99_ms", Stats.round(Stats.percentile(e2e, 99), 1));
    f.put("makespan_s", Stats.round(wall / 1000, 3));
    putHops(f, hops);
    Stats.printJson(f);
  }

  String startRun(String env, String pipeline) throws Exception {
    HttpResponse<String> r =
        call(
            "POST",
            "/api/v1/environments/" + env + "/pipelines/" + pipeline + "/runs",
            "{\"requestId\":\"bench-" + UUID.randomUUID() + "\"}",
            "application/json");
    expect(r, 201);
    return JSON.readTree(r.body()).path("id").asText();
  }

  static void putHops(Map<String, Object> f, Map<String, List<Double>> hops) {
    hops.forEach(
        (k, v) -> {
          if (!v.isEmpty()) {
            f.put(
                "hop_" + k + "_p50_ms",
                Stats.round(
                    Stats.percentile(v.stream().mapToDouble(Double::doubleValue).toArray(), 50),
                    2));
          }
        });
  }

  /**
   * Rows of the orchestrator's growing tables: task_runs, attempts, outbox, processed_events, logs.
   */
  static long[] dbRows() throws Exception {
    String url = System.getProperty("jdbc", "jdbc:postgresql://127.0.0.1:5432/dataplane");
    String[] tables = {"task_runs", "attempts", "outbox", "processed_events", "task_logs"};
    long[] out = new long[tables.length];
    try (java.sql.Connection c =
        java.sql.DriverManager.getConnection(url, "dataplane", "dataplane")) {
      for (int i = 0; i < tables.length; i++) {
        try (java.sql.Statement st = c.createStatement();
            java.sql.ResultSet rs =
                st.executeQuery("select count(*) from orchestrator." + tables[i])) {
          rs.next();
          out[i] = rs.getLong(1);
        } catch (java.sql.SQLException e) {
          out[i] = 0; // a table this version does not have
        }
      }
    }
    return out;
  }

  /** The orchestrator's used heap in MiB, from its Prometheus metrics after a full GC request. */
  long heapUsedMb() {
    try {
      String pid = Files.readString(pids.resolve("orchestrator-service.pid")).trim();
      new ProcessBuilder("jcmd", pid, "GC.run").redirectErrorStream(true).start().waitFor();
      Process p = new ProcessBuilder("jcmd", pid, "GC.heap_info").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes());
      p.waitFor();
      // G1 prints one "garbage-first heap" line; the serial collector (dev/services) one line per
      // generation, which add up to the heap
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("(?:generation|heap)\\s+total \\d+K, used (\\d+)K")
              .matcher(out);
      long used = 0;
      while (m.find()) {
        used += Long.parseLong(m.group(1));
      }
      return used / 1024;
    } catch (Exception e) {
      return -1;
    }
  }

  /** Each task's dependencies, read back from the generated YAML. */
  static Map<String, List<String>> dependencies(String yaml) {
    Map<String, List<String>> m = new LinkedHashMap<>();
    String key = null;
    for (String line : yaml.split("\n")) {
      String t = line.trim();
      if (t.startsWith("- key: ")) {
        key = t.substring(7);
        m.put(key, new ArrayList<>());
      } else if (t.startsWith("dependsOn: [") && key != null) {
        for (String d : t.substring(12, t.length() - 1).split(",")) {
          m.get(key).add(d.trim());
        }
      }
    }
    return m;
  }

  String release(String env, String name, String definition) throws Exception {
    call("POST", "/api/v1/environments", "{\"name\":\"" + env + "\"}", "application/json");
    call(
        "POST",
        "/api/v1/environments/" + env + "/worker-groups",
        "{\"name\":\"" + group + "\"}",
        "application/json");
    String pipeline = name.replace("chain40-", "chain-");
    expect(
        call(
            "PUT",
            "/api/v1/environments/" + env + "/pipelines/" + pipeline,
            definition,
            "application/yaml"),
        200,
        201);
    expect(
        call(
            "POST",
            "/api/v1/environments/" + env + "/pipelines/" + pipeline + "/releases",
            "{}",
            "application/json"),
        200,
        201);
    return pipeline;
  }

  /**
   * Where the time of each task goes, from the orchestrator's timestamps: the last of its
   * dependencies recorded finished (orchestrator's clock, once its AttemptFinished is consumed) →
   * task ready → dispatched (outbox row written) → claimed (the worker's claim reached the
   * orchestrator: Kafka, share fetch, claim call) → started (worker's clock: after the claim,
   * bundle and secrets, process spawned) → finished (the process exited and its result was
   * applied).
   */
  static Map<String, List<Double>> hops(JsonNode run, Map<String, List<String>> deps) {
    Map<String, JsonNode> last = new LinkedHashMap<>();
    Map<String, JsonNode> byKey = new LinkedHashMap<>();
    for (JsonNode tr : run.path("taskRuns")) {
      byKey.put(tr.path("taskKey").asText(), tr);
      last.put(
          tr.path("taskKey").asText(), tr.path("attempts").get(tr.path("attempts").size() - 1));
    }
    Map<String, List<Double>> m = new LinkedHashMap<>();
    for (String h :
        List.of(
            "ready_to_dispatched",
            "dispatched_to_claimed",
            "claimed_to_started",
            "started_to_finished",
            "finished_to_next_ready")) {
      m.put(h, new ArrayList<>());
    }
    for (Map.Entry<String, JsonNode> e : byKey.entrySet()) {
      JsonNode tr = e.getValue();
      JsonNode a = last.get(e.getKey());
      if (a == null || a.isMissingNode() || a.isNull()) {
        continue;
      }
      m.get("ready_to_dispatched").add(millis(tr.path("readyAt"), a.path("dispatchedAt")));
      m.get("dispatched_to_claimed").add(millis(a.path("dispatchedAt"), a.path("claimedAt")));
      m.get("claimed_to_started").add(millis(a.path("claimedAt"), a.path("startedAt")));
      m.get("started_to_finished").add(millis(a.path("startedAt"), a.path("finishedAt")));
      Instant upstreamDone = null;
      for (String d : deps.getOrDefault(e.getKey(), List.of())) {
        JsonNode up = last.get(d);
        if (up != null) {
          Instant f = Instant.parse(up.path("finishedAt").asText());
          upstreamDone = upstreamDone == null || f.isAfter(upstreamDone) ? f : upstreamDone;
        }
      }
      if (upstreamDone != null) {
        m.get("finished_to_next_ready")
            .add(
                Duration.between(upstreamDone, Instant.parse(tr.path("readyAt").asText())).toNanos()
                    / 1e6);
      }
    }
    return m;
  }

  static double bareSpawnRate(int n, int concurrency) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(concurrency);
    long t0 = System.nanoTime();
    List<Future<?>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      fs.add(
          pool.submit(
              () -> {
                new ProcessBuilder("bash", "-c", "true").start().waitFor();
                return null;
              }));
    }
    for (Future<?> f : fs) {
      f.get();
    }
    pool.shutdown();
    return n / ((System.nanoTime() - t0) / 1e9);
  }

  /**
   * Runs the pipeline until it has run {@code -Dwarmup-tasks} tasks (5,000), so that the figures
   * are those of services whose hot path the JIT has compiled (a long-running platform's), not of a
   * cold start: measured 2026-12-07, fanout100 on freshly started services took 5.0 s and 104 ms of
   * CPU per task, and after 3,000 tasks 1.9 s and 23 ms; chain40-bash reached its floor after about
   * 5,000. Prints the first warm-up run's makespan as the cold figure.
   */
  void warmUp(String env, String pipeline, Map<String, Object> f) throws Exception {
    int target = Integer.getInteger("warmup-tasks", 5000);
    int done = 0;
    int warmups = 0;
    do {
      JsonNode run = one(env, pipeline);
      if (warmups++ == 0) {
        f.put(
            "makespan_first_warmup_s",
            Stats.round(millis(run.path("startedAt"), run.path("finishedAt")) / 1000, 3));
      }
      done += run.path("taskRuns").size();
    } while (done < target);
    f.put("warmup_runs", warmups);
  }

  JsonNode one(String env, String pipeline) throws Exception {
    HttpResponse<String> r =
        call(
            "POST",
            "/api/v1/environments/" + env + "/pipelines/" + pipeline + "/runs",
            "{\"requestId\":\"bench-" + UUID.randomUUID() + "\"}",
            "application/json");
    expect(r, 201);
    String id = JSON.readTree(r.body()).path("id").asText();
    Instant deadline = Instant.now().plus(Duration.ofMinutes(10));
    while (Instant.now().isBefore(deadline)) {
      JsonNode run = JSON.readTree(call("GET", "/api/v1/runs/" + id, null, null).body());
      String state = run.path("state").asText();
      if (state.equals("SUCCEEDED")) {
        return run;
      }
      if (state.equals("FAILED") || state.equals("CANCELLED")) {
        throw new IllegalStateException(
            "benchmark run " + id + " ended " + state + ": " + run.path("error"));
      }
      // the figures come from the recorded timestamps, not from this loop; a large run is read
      // less often, so that reading it does not slow down what it measures
      Thread.sleep(run.path("taskRuns").size() > 1000 ? 2000 : 50);
    }
    throw new IllegalStateException("benchmark run " + id + " did not finish in 10 minutes");
  }

  HttpResponse<String> call(String method, String path, String body, String type) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(orchestrator + path))
            .header("Authorization", "Bearer " + token)
            .timeout(Duration.ofSeconds(30));
    if (body == null) {
      b.GET();
    } else {
      b.header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  static void expect(HttpResponse<String> r, int... ok) {
    for (int s : ok) {
      if (r.statusCode() == s) {
        return;
      }
    }
    throw new IllegalStateException("HTTP " + r.statusCode() + " " + r.uri() + ": " + r.body());
  }

  static double millis(JsonNode from, JsonNode to) {
    return Duration.between(Instant.parse(from.asText()), Instant.parse(to.asText())).toNanos()
        / 1e6;
  }

  /** RSS in KiB of each service started by dev/services. */
  Map<String, Long> rss() {
    Map<String, Long> m = new LinkedHashMap<>();
    for (String svc : services()) {
      try {
        String pid = Files.readString(pids.resolve(svc + ".pid")).trim();
        for (String line : Files.readAllLines(Path.of("/proc", pid, "status"))) {
          if (line.startsWith("VmRSS:")) {
            m.put(svc.replace("-service", ""), Long.parseLong(line.replaceAll("[^0-9]", "")));
          }
        }
      } catch (Exception e) {
        // not running
      }
    }
    return m;
  }

  long cpuTicks() {
    long sum = 0;
    for (String svc : services()) {
      try {
        String pid = Files.readString(pids.resolve(svc + ".pid")).trim();
        String stat = Files.readString(Path.of("/proc", pid, "stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        sum +=
            Long.parseLong(f[11])
                + Long.parseLong(f[12])
                + Long.parseLong(f[13])
                + Long.parseLong(f[14]);
      } catch (Exception e) {
        // not running
      }
    }
    return sum;
  }

  static List<String> services() {
    return List.of(
        "orchestrator-service",
        "scheduler-service",
        "worker-service",
        "secrets-service",
        "filestore-service",
        "gateway-service");
  }
}
