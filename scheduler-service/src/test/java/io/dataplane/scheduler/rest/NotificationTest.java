package io.dataplane.scheduler.rest;

import static io.dataplane.scheduler.TestSupport.api;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;

import com.icegreen.greenmail.configuration.GreenMailConfiguration;
import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetupTest;
import io.dataplane.common.events.RunState;
import io.dataplane.common.events.RunStateChanged;
import io.dataplane.common.events.SlaMissed;
import io.dataplane.common.events.Topics;
import io.dataplane.common.events.WorkerGroupUnserved;
import io.dataplane.common.json.Json;
import io.dataplane.scheduler.TestSupport;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.mail.Message;
import jakarta.mail.internet.MimeMessage;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 17: notifications, against a real local HTTP receiver and a real SMTP server (GreenMail),
 * with real PostgreSQL and Kafka; secrets-service and the orchestrator are stood in for by {@link
 * BackendStub}.
 */
@QuarkusTest
@QuarkusTestResource(value = BackendStub.class, restrictToAnnotatedClass = true)
class NotificationTest {

  static final String HOOK_KEY = "notify-signing-key-0123456789";
  static final String SMTP_PASSWORD = "smtp-pass-0123456789";

  static Receiver receiver;
  static GreenMail smtp;

  @BeforeAll
  static void start() throws Exception {
    receiver = new Receiver();
    smtp = new GreenMail(ServerSetupTest.SMTP.dynamicPort());
    smtp.withConfiguration(GreenMailConfiguration.aConfig().withUser("alerts", SMTP_PASSWORD));
    smtp.start();
    BackendStub.NOTIFY_SECRETS.put("NOTIFY_HOOK", HOOK_KEY);
    BackendStub.NOTIFY_SECRETS.put("NOTIFY_SMTP", SMTP_PASSWORD);
  }

  @AfterAll
  static void stop() {
    receiver.close();
    smtp.stop();
  }

  // --- helpers ---

  static String channel(String env, Map<String, Object> body) {
    return api()
        .body(body)
        .post("/api/v1/environments/{env}/notification-channels", env)
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  static String webhook(String env, String name, String path) {
    return channel(
        env,
        Map.of(
            "name",
            name,
            "kind",
            "WEBHOOK",
            "url",
            receiver.url(path),
            "secretName",
            "NOTIFY_HOOK"));
  }

  static String rule(
      String env, String name, String pipeline, List<String> events, String channel, int quiet) {
    Map<String, Object> b = new HashMap<>();
    b.put("name", name);
    b.put("pipeline", pipeline);
    b.put("events", events);
    b.put("channelId", channel);
    b.put("quietPeriodSeconds", quiet);
    return api()
        .body(b)
        .post("/api/v1/environments/{env}/notification-rules", env)
        .then()
        .statusCode(201)
        .extract()
        .path("id");
  }

  static void runEnded(String env, String pipeline, UUID runId, RunState state) throws Exception {
    TestSupport.publish(
        Topics.RUN_EVENTS,
        runId.toString(),
        new RunStateChanged(runId, env, pipeline, state, RunState.RUNNING));
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> deliveries(String env, String channelId) {
    return api()
        .queryParam("channelId", channelId)
        .get("/api/v1/environments/{env}/notification-deliveries", env)
        .then()
        .statusCode(200)
        .extract()
        .path("items");
  }

  /**
   * The state of the channel's first delivery; null while it has none (the event is on its way).
   */
  static Object firstDeliveryState(String env, String channelId) {
    List<Map<String, Object>> ds = deliveries(env, channelId);
    return ds.isEmpty() ? null : delivery(ds.get(0)).get("state");
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> delivery(Map<String, Object> view) {
    return (Map<String, Object>) view.get("delivery");
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> attempts(Map<String, Object> view) {
    return (List<Map<String, Object>>) view.get("attempts");
  }

  static String hmac(String key, String body) throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
  }

  // --- behaviour ---

  @Test
  void aFailingRunSendsOneSignedWebhookOneSlackMessageAndOneEmailEachOnce() throws Exception {
    String env = TestSupport.uniqueEnv();
    String hookPath = "/hook-" + env;
    String slackPath = "/slack-" + env;
    BackendStub.NOTIFY_SECRETS.put(
        "NOTIFY_SLACK_" + env.replace('-', '_'), receiver.url(slackPath));
    String hook = webhook(env, "ops-hook", hookPath);
    String slack =
        channel(
            env,
            Map.of(
                "name",
                "ops-slack",
                "kind",
                "SLACK",
                "secretName",
                "NOTIFY_SLACK_" + env.replace('-', '_')));
    Map<String, Object> mail = new HashMap<>();
    mail.put("name", "ops-mail");
    mail.put("kind", "EMAIL");
    mail.put("smtpHost", "127.0.0.1");
    mail.put("smtpPort", smtp.getSmtp().getPort());
    mail.put("smtpTls", "NONE");
    mail.put("smtpUsername", "alerts");
    mail.put("secretName", "NOTIFY_SMTP");
    mail.put("from", "dataplane@example.com");
    mail.put("to", List.of("oncall-" + env + "@example.com"));
    String email = channel(env, mail);
    for (String ch : List.of(hook, slack, email)) {
      rule(env, "failures-" + ch.substring(0, 8), null, List.of("RUN_FAILED"), ch, 0);
    }
    UUID runId = UUID.randomUUID();
    BackendStub.RUNS.put(
        runId.toString(),
        Map.of(
            "id", runId.toString(),
            "error", "task extract failed",
            "taskRuns",
                List.of(Map.of("taskKey", "extract", "state", "FAILED", "error", "exit code 3"))));

    runEnded(env, "nightly", runId, RunState.FAILED);
    // the same end published again (a redelivery, a republished outbox row): nothing more
    runEnded(env, "nightly", runId, RunState.FAILED);

    String link = "https://console.test/e/" + env + "/runs/" + runId;
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                receiver.at(hookPath).size() == 1
                    && receiver.at(slackPath).size() == 1
                    && smtp.getReceivedMessagesForDomain("example.com").length >= 1);
    // and it stays at one each
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(
            () ->
                receiver.at(hookPath).size() == 1
                    && receiver.at(slackPath).size() == 1
                    && received(env).size() == 1);

    Receiver.Request h = receiver.at(hookPath).get(0);
    assertThat(h.header("X-Dataplane-Signature-256"))
        .isEqualTo("sha256=" + hmac(HOOK_KEY, h.body()));
    assertThat(h.header("X-Dataplane-Event")).isEqualTo("RUN_FAILED");
    Map<?, ?> hb = Json.mapper().readValue(h.body(), Map.class);
    assertThat(hb.get("link")).isEqualTo(link);
    assertThat(hb.get("runId")).isEqualTo(runId.toString());
    assertThat(hb.get("deliveryId")).isEqualTo(h.header("X-Dataplane-Delivery"));
    assertThat((String) hb.get("error")).contains("exit code 3");

    Map<?, ?> sb = Json.mapper().readValue(receiver.at(slackPath).get(0).body(), Map.class);
    assertThat((String) sb.get("text")).contains("FAILED").contains(link);
    assertThat(Json.mapper().writeValueAsString(sb.get("blocks")))
        .contains("\"type\":\"header\"")
        .contains("\"type\":\"button\"")
        .contains("\"url\":\"" + link + "\"");

    MimeMessage m = received(env).get(0);
    assertThat(m.getSubject()).contains("nightly").contains("FAILED");
    assertThat(m.getFrom()[0].toString()).isEqualTo("dataplane@example.com");
    assertThat(com.icegreen.greenmail.util.GreenMailUtil.getBody(m)).contains(link);

    for (String ch : List.of(hook, slack, email)) {
      List<Map<String, Object>> ds = deliveries(env, ch);
      assertThat(ds).hasSize(1);
      assertThat(delivery(ds.get(0)).get("state")).isEqualTo("DELIVERED");
      assertThat(attempts(ds.get(0))).hasSize(1);
    }
  }

  private static List<MimeMessage> received(String env) throws Exception {
    List<MimeMessage> out = new java.util.ArrayList<>();
    for (MimeMessage m : smtp.getReceivedMessages()) {
      for (var a : m.getRecipients(Message.RecipientType.TO)) {
        if (a.toString().equals("oncall-" + env + "@example.com")) {
          out.add(m);
        }
      }
    }
    return out;
  }

  @Test
  void aRunThatMissedItsSlaIsNotifiedOnceWithWhatItMissed() throws Exception {
    String env = TestSupport.uniqueEnv();
    String path = "/sla-" + env;
    String ch = webhook(env, "sla", path);
    rule(env, "late", "nightly", List.of("SLA_MISSED"), ch, 0);
    UUID runId = UUID.randomUUID();
    Instant due = Instant.parse("2026-12-07T05:00:00Z");
    SlaMissed missed =
        new SlaMissed(runId, env, "nightly", due, "deadline 06:00 Europe/Paris", RunState.RUNNING);
    TestSupport.publish(Topics.RUN_EVENTS, runId.toString(), missed);
    // the same event again (a redelivery): nothing more; another pipeline's: not this rule's
    TestSupport.publish(Topics.RUN_EVENTS, runId.toString(), missed);
    UUID other = UUID.randomUUID();
    TestSupport.publish(
        Topics.RUN_EVENTS,
        other.toString(),
        new SlaMissed(other, env, "hourly", due, "maxDuration PT1H", RunState.RUNNING));
    await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at(path).size() == 1);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(() -> receiver.at(path).size() == 1);
    Receiver.Request h = receiver.at(path).get(0);
    assertThat(h.header("X-Dataplane-Event")).isEqualTo("SLA_MISSED");
    Map<?, ?> body = Json.mapper().readValue(h.body(), Map.class);
    assertThat(body.get("runId")).isEqualTo(runId.toString());
    assertThat(body.get("state")).isEqualTo("RUNNING");
    assertThat((String) body.get("detail"))
        .isEqualTo("deadline 06:00 Europe/Paris, due 2026-12-07T05:00:00Z");
    assertThat((String) body.get("title")).contains("run missed its SLA");
  }

  @Test
  void aWorkerGroupWithoutWorkersIsNotifiedOncePerOutage() throws Exception {
    String env = TestSupport.uniqueEnv();
    String path = "/unserved-" + env;
    String ch = webhook(env, "ops", path);
    // an environment-wide rule, and a rule of one of the waiting pipelines: one delivery each
    rule(env, "ops", null, List.of("NO_WORKER"), ch, 0);
    rule(env, "nightly-owner", "nightly", List.of("NO_WORKER"), ch, 0);
    rule(env, "other-owner", "hourly", List.of("NO_WORKER"), ch, 0);
    Instant since = Instant.parse("2026-12-07T05:00:00Z");
    WorkerGroupUnserved u =
        new WorkerGroupUnserved(env, "etl", 2, 3, List.of("load", "nightly"), since);
    TestSupport.publish(Topics.RUN_EVENTS, env + "/etl", u);
    // told again (another orchestrator replica, or after a restart): the same outage, nothing more
    TestSupport.publish(Topics.RUN_EVENTS, env + "/etl", u);
    await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at(path).size() == 2);
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .until(() -> receiver.at(path).size() == 2);
    Receiver.Request h = receiver.at(path).get(0);
    assertThat(h.header("X-Dataplane-Event")).isEqualTo("NO_WORKER");
    Map<?, ?> body = Json.mapper().readValue(h.body(), Map.class);
    assertThat(body.get("workerGroup")).isEqualTo("etl");
    assertThat((String) body.get("title"))
        .isEqualTo("[" + env + "] worker group etl: no live worker, tasks wait");
    assertThat((String) body.get("detail"))
        .isEqualTo(
            "3 task(s) of load, nightly wait since 2026-12-07T05:00:00Z; no live worker serves "
                + env
                + "/etl (2 registered: lost, draining or without a sandbox)");
    // a new outage (a later oldest waiting task) is told again
    TestSupport.publish(
        Topics.RUN_EVENTS,
        env + "/etl",
        new WorkerGroupUnserved(env, "etl", 0, 1, List.of("load"), since.plusSeconds(600)));
    await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at(path).size() == 3);
  }

  @Test
  void aReceiverThatFailsIsRetriedWithBackoffAndTheLogShowsEachAttempt() throws Exception {
    String env = TestSupport.uniqueEnv();
    String path = "/flaky-" + env;
    receiver.failFirst(path, 2);
    String ch = webhook(env, "flaky", path);
    rule(env, "all", null, List.of("RUN_FAILED", "RUN_SUCCEEDED"), ch, 0);
    runEnded(env, "etl", UUID.randomUUID(), RunState.SUCCEEDED);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> "DELIVERED".equals(firstDeliveryState(env, ch)));
    List<Map<String, Object>> as = attempts(deliveries(env, ch).get(0));
    assertThat(as)
        .extracting(a -> a.get("outcome"))
        .containsExactly("FAILED", "FAILED", "DELIVERED");
    assertThat(as).extracting(a -> a.get("status")).containsExactly(503, 503, 200);
    assertThat(receiver.at(path)).hasSize(3);
    // the same delivery id on every attempt, and growing pauses between them (300 ms, then 600 ms)
    assertThat(receiver.at(path).stream().map(r -> r.header("X-Dataplane-Delivery")).distinct())
        .hasSize(1);
    Duration first = Duration.between(receiver.at(path).get(0).at(), receiver.at(path).get(1).at());
    Duration second =
        Duration.between(receiver.at(path).get(1).at(), receiver.at(path).get(2).at());
    assertThat(first).isGreaterThanOrEqualTo(Duration.ofMillis(300));
    assertThat(second).isGreaterThanOrEqualTo(Duration.ofMillis(600));
  }

  @Test
  void theQuietPeriodHoldsForAFlappingPipeline() throws Exception {
    String env = TestSupport.uniqueEnv();
    String path = "/quiet-" + env;
    String ch = webhook(env, "quiet", path);
    rule(env, "flappy-failures", "flappy", List.of("RUN_FAILED"), ch, 3600);
    for (int i = 0; i < 4; i++) {
      runEnded(env, "flappy", UUID.randomUUID(), RunState.FAILED);
    }
    // another pipeline is not covered by this rule
    runEnded(env, "steady", UUID.randomUUID(), RunState.FAILED);
    await().atMost(Duration.ofSeconds(30)).until(() -> deliveries(env, ch).size() == 4);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                deliveries(env, ch).stream()
                        .map(d -> delivery(d).get("state"))
                        .filter("DELIVERED"::equals)
                        .count()
                    == 1);
    assertThat(deliveries(env, ch).stream().map(d -> delivery(d).get("state")))
        .containsExactlyInAnyOrder("DELIVERED", "SUPPRESSED", "SUPPRESSED", "SUPPRESSED");
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> receiver.at(path).size() == 1);
  }

  @Test
  void aReceiverThatNeverAnswersTimesOutAndFailsAfterTheLastAttempt() throws Exception {
    String env = TestSupport.uniqueEnv();
    String path = "/silent-" + env;
    receiver.hang(path);
    String ch = webhook(env, "silent", path);
    rule(env, "all", null, List.of("RUN_FAILED"), ch, 0);
    runEnded(env, "etl", UUID.randomUUID(), RunState.FAILED);
    await()
        .atMost(Duration.ofSeconds(40))
        .until(() -> "FAILED".equals(firstDeliveryState(env, ch)));
    List<Map<String, Object>> as = attempts(deliveries(env, ch).get(0));
    assertThat(as).hasSize(4);
    assertThat(as).allSatisfy(a -> assertThat(a.get("outcome")).isEqualTo("TIMEOUT"));
    assertThat(as)
        .allSatisfy(a -> assertThat(((Number) a.get("durationMs")).longValue()).isLessThan(5000));
  }

  @Test
  void channelsPointingInsideThePlatformAreRefused() throws Exception {
    String env = TestSupport.uniqueEnv();
    for (String url :
        List.of(
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1:8084/api/v1/environments",
            "http://[::1]:8081/",
            "http://127.0.0.2:8082/",
            "http://0.0.0.0:8080/",
            "http://[::ffff:169.254.169.254]/",
            "file:///etc/passwd",
            "gopher://127.0.0.1/")) {
      api()
          .body(Map.of("name", "bad", "kind", "WEBHOOK", "url", url, "secretName", "NOTIFY_HOOK"))
          .post("/api/v1/environments/{env}/notification-channels", env)
          .then()
          .statusCode(400)
          .body(containsString("url"));
    }
    Map<String, Object> mail = new HashMap<>();
    mail.put("name", "bad-mail");
    mail.put("kind", "EMAIL");
    mail.put("smtpHost", "169.254.169.254");
    mail.put("from", "dataplane@example.com");
    mail.put("to", List.of("a@example.com"));
    api()
        .body(mail)
        .post("/api/v1/environments/{env}/notification-channels", env)
        .then()
        .statusCode(400)
        .body(containsString("smtpHost"));

    // a Slack URL is a secret, checked when it is used: refused at once, no retry, no URL in the
    // log
    String secret = "NOTIFY_SLACK_META_" + env.replace('-', '_');
    BackendStub.NOTIFY_SECRETS.put(
        secret, "http://169.254.169.254/latest/meta-data/iam/secret-path");
    String ch = channel(env, Map.of("name", "meta", "kind", "SLACK", "secretName", secret));
    rule(env, "all", null, List.of("RUN_FAILED"), ch, 0);
    runEnded(env, "etl", UUID.randomUUID(), RunState.FAILED);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> !deliveries(env, ch).isEmpty() && "FAILED".equals(firstDeliveryState(env, ch)));
    Map<String, Object> d = deliveries(env, ch).get(0);
    assertThat(attempts(d)).hasSize(1);
    assertThat(attempts(d).get(0).get("outcome")).isEqualTo("REFUSED");
    assertThat((String) delivery(d).get("lastError"))
        .contains("internal address")
        .doesNotContain("secret-path");
  }

  @Test
  void aTwoMegabyteErrorStillSendsASmallMessage() throws Exception {
    String env = TestSupport.uniqueEnv();
    String path = "/big-" + env;
    String ch = webhook(env, "big", path);
    rule(env, "all", null, List.of("RUN_FAILED"), ch, 0);
    UUID runId = UUID.randomUUID();
    BackendStub.RUNS.put(
        runId.toString(), Map.of("id", runId.toString(), "error", "x".repeat(2 * 1024 * 1024)));
    runEnded(env, "etl", runId, RunState.FAILED);
    await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at(path).size() == 1);
    String body = receiver.at(path).get(0).body();
    assertThat(body.length()).isLessThan(16 * 1024);
    assertThat(body).contains("more characters");
    assertThat(receiver.at(path).get(0).header("X-Dataplane-Signature-256"))
        .isEqualTo("sha256=" + hmac(HOOK_KEY, body));
  }

  @Test
  void aLineBreakInAnEmailHeaderCannotAddRecipients() throws Exception {
    String env = TestSupport.uniqueEnv();
    Map<String, Object> mail = new HashMap<>();
    mail.put("name", "crlf");
    mail.put("kind", "EMAIL");
    mail.put("smtpHost", "127.0.0.1");
    mail.put("smtpPort", smtp.getSmtp().getPort());
    mail.put("smtpTls", "NONE");
    mail.put("from", "dataplane@example.com");
    mail.put("to", List.of("oncall-" + env + "@example.com\r\nBcc: evil@attacker.test"));
    api()
        .body(mail)
        .post("/api/v1/environments/{env}/notification-channels", env)
        .then()
        .statusCode(400)
        .body(containsString("to[0]"));
    mail.put("to", List.of("oncall-" + env + "@example.com"));
    mail.put("smtpUsername", "alerts");
    mail.put("secretName", "NOTIFY_SMTP");
    String ch = channel(env, mail);
    rule(env, "all", null, List.of("RUN_FAILED"), ch, 0);
    // a forged event whose pipeline name carries a header: the subject stays one line
    runEnded(
        env,
        "etl\r\nBcc: evil@attacker.test\r\nSubject: pwned",
        UUID.randomUUID(),
        RunState.FAILED);
    await().atMost(Duration.ofSeconds(30)).until(() -> received(env).size() == 1);
    MimeMessage m = received(env).get(0);
    assertThat(m.getSubject()).doesNotContain("\r").doesNotContain("\n").startsWith("Dataplane [");
    assertThat(m.getHeader("Subject")).hasSize(1);
    assertThat(m.getRecipients(Message.RecipientType.BCC)).isNull();
    assertThat(smtp.getReceivedMessagesForDomain("attacker.test")).isEmpty();
  }

  @Test
  void aDeliveryLeftByADeadReplicaIsSentWhenItsLeaseEnds() throws Exception {
    String env = TestSupport.uniqueEnv();
    String path = "/lease-" + env;
    String ch = webhook(env, "lease", path);
    String rule = rule(env, "all", null, List.of("RUN_FAILED"), ch, 0);
    UUID id = UUID.randomUUID();
    // what a replica that claimed the delivery (attempt 1) and died before sending leaves behind
    try (Connection c = TestSupport.db();
        PreparedStatement ps =
            c.prepareStatement(
                "insert into notification_deliveries (id, rule_id, channel_id, environment,"
                    + " pipeline, event_type, event_key, facts, state, attempts, next_attempt_at,"
                    + " created_at) values (?, ?::uuid, ?::uuid, ?, 'etl', 'RUN_FAILED', ?,"
                    + " '{\"event\":\"RUN_FAILED\",\"pipeline\":\"etl\"}'::jsonb, 'PENDING', 1,"
                    + " now() - interval '1 second', now() - interval '2 minutes')")) {
      ps.setObject(1, id);
      ps.setString(2, rule);
      ps.setString(3, ch);
      ps.setString(4, env);
      ps.setString(5, "run:" + UUID.randomUUID() + ":FAILED");
      ps.executeUpdate();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at(path).size() == 1);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> "DELIVERED".equals(firstDeliveryState(env, ch)));
    assertThat(attempts(deliveries(env, ch).get(0)))
        .extracting(a -> a.get("attempt"))
        .containsExactly(2);
    assertThat(receiver.at(path).get(0).header("X-Dataplane-Delivery")).isEqualTo(id.toString());
  }

  @Test
  void aTriggerFireThatStartsNoRunIsNotifiedAsAMisfireOnce() throws Exception {
    String env = TestSupport.uniqueEnv();
    String path = "/misfire-" + env;
    String ch = webhook(env, "misfires", path);
    rule(env, "load-misfires", "load", List.of("MISFIRE"), ch, 0);
    Map<String, Object> t = new HashMap<>();
    t.put("name", "after-extract");
    t.put("kind", "COMPLETION");
    t.put("upstreamPipeline", "extract");
    t.put("pipeline", "load");
    // compiles, but names an output the upstream run does not have: the fire fails
    t.put("params", Map.of("day", "{{ upstream.outputs.extract.day }}"));
    api().body(t).post("/api/v1/environments/{env}/triggers", env).then().statusCode(201);
    UUID upstream = UUID.randomUUID();
    runEnded(env, "extract", upstream, RunState.SUCCEEDED);
    runEnded(env, "extract", upstream, RunState.SUCCEEDED);
    await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at(path).size() == 1);
    Map<?, ?> body = Json.mapper().readValue(receiver.at(path).get(0).body(), Map.class);
    assertThat(body.get("event")).isEqualTo("MISFIRE");
    assertThat(body.get("pipeline")).isEqualTo("load");
    assertThat((String) body.get("detail")).contains("after-extract");
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> receiver.at(path).size() == 1);
  }

  @Test
  void aScheduleThatMissedFireTimesIsNotifiedOnceAsAMisfire() throws Exception {
    TestSupport.awaitLeader();
    String env = TestSupport.uniqueEnv();
    String path = "/schedule-misfire-" + env;
    String ch = webhook(env, "schedule-misfires", path);
    rule(env, "etl-misfires", "etl", List.of("MISFIRE"), ch, 0);
    Map<String, Object> b = new HashMap<>();
    b.put("name", "every-minute");
    b.put("pipeline", "etl");
    b.put("cron", "* * * * *");
    b.put("timezone", "UTC");
    b.put("misfirePolicy", "NONE");
    b.put("enabled", false);
    String id =
        api()
            .body(b)
            .post("/api/v1/environments/{env}/schedules", env)
            .then()
            .statusCode(201)
            .extract()
            .path("id");
    // an outage: the schedule is settled only through ten minutes ago when the leader sees it
    try (Connection c = TestSupport.db();
        PreparedStatement ps =
            c.prepareStatement(
                "update schedules set state = 'ENABLED',"
                    + " fired_through = date_trunc('minute', now()) - interval '10 minutes'"
                    + " where id = ?; select pg_notify('scheduler_test_changes', ?)")) {
      ps.setObject(1, UUID.fromString(id));
      ps.setString(2, id);
      ps.execute();
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> receiver.at(path).size() == 1);
    Map<?, ?> body = Json.mapper().readValue(receiver.at(path).get(0).body(), Map.class);
    assertThat(body.get("event")).isEqualTo("MISFIRE");
    assertThat((String) body.get("detail")).contains("every-minute").contains("dropped");
    await()
        .during(Duration.ofSeconds(1))
        .atMost(Duration.ofSeconds(3))
        .until(() -> receiver.at(path).size() == 1);
  }

  @Test
  void channelsAndRulesAreValidatedAndHoldNoSecret() {
    String env = TestSupport.uniqueEnv();
    api()
        .body(
            Map.of(
                "name",
                "x",
                "kind",
                "WEBHOOK",
                "url",
                receiver.url("/x"),
                "secretName",
                "HOOK_KEY"))
        .post("/api/v1/environments/{env}/notification-channels", env)
        .then()
        .statusCode(400)
        .body(containsString("NOTIFY_"));
    api()
        .body(Map.of("name", "x", "kind", "PIGEON", "secretName", "NOTIFY_X"))
        .post("/api/v1/environments/{env}/notification-channels", env)
        .then()
        .statusCode(400)
        .body(containsString("kind"));
    api()
        .body(
            Map.of(
                "name",
                "s",
                "kind",
                "SLACK",
                "secretName",
                "NOTIFY_X",
                "url",
                "https://hooks.slack.com/services/T/B/secret"))
        .post("/api/v1/environments/{env}/notification-channels", env)
        .then()
        .statusCode(400)
        .body(containsString("a Slack URL is a secret"));
    String ch = webhook(env, "ok", "/ok");
    api()
        .body(Map.of("name", "r", "events", List.of("RUN_EXPLODED"), "channelId", ch))
        .post("/api/v1/environments/{env}/notification-rules", env)
        .then()
        .statusCode(400)
        .body(containsString("events[0]"));
    api()
        .body(
            Map.of(
                "name",
                "r",
                "events",
                List.of("RUN_FAILED"),
                "channelId",
                UUID.randomUUID().toString()))
        .post("/api/v1/environments/{env}/notification-rules", env)
        .then()
        .statusCode(400)
        .body(containsString("channelId"));
    // a channel of another environment is not found
    api()
        .get("/api/v1/environments/{env}/notification-channels/{id}", TestSupport.uniqueEnv(), ch)
        .then()
        .statusCode(404);
    api()
        .delete("/api/v1/environments/{env}/notification-channels/{id}", env, ch)
        .then()
        .statusCode(204);
  }
}
