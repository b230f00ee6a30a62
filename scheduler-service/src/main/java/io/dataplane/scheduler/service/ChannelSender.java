package io.dataplane.scheduler.service;

import io.dataplane.common.json.Json;
import io.dataplane.scheduler.NotificationChannel;
import io.dataplane.scheduler.config.NotificationConfig;
import io.dataplane.scheduler.notify.Messages;
import io.dataplane.scheduler.notify.UrlGuard;
import io.vertx.core.Vertx;
import io.vertx.ext.mail.LoginOption;
import io.vertx.ext.mail.MailClient;
import io.vertx.ext.mail.MailConfig;
import io.vertx.ext.mail.MailMessage;
import io.vertx.ext.mail.StartTLSOptions;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends one notification over one channel: a signed JSON POST (generic webhook), a Block Kit POST
 * (Slack-compatible incoming webhook) or an email over SMTP through the Vert.x mail client of
 * quarkus-mailer (a client per channel, as each channel has its own server and credentials).
 * Targets are checked against the {@link UrlGuard} right before each send; redirects are never
 * followed; each send is bounded by {@code send-timeout}. A failure's message never holds a secret
 * (the Slack URL, the password).
 */
@ApplicationScoped
public class ChannelSender {

  /** What became of one attempt. */
  public record Result(String outcome, Integer status, String error) {
    static Result ok(Integer status) {
      return new Result("DELIVERED", status, null);
    }

    boolean delivered() {
      return "DELIVERED".equals(outcome);
    }

    /** A refused target or a missing secret: trying again would not help. */
    boolean permanent() {
      return "REFUSED".equals(outcome);
    }
  }

  /** Header carrying {@code sha256=<hex HMAC of the body>}. */
  public static final String SIGNATURE_HEADER = "X-Dataplane-Signature-256";

  /** Header carrying the delivery's id (the same on every retry: receivers dedupe on it). */
  public static final String DELIVERY_HEADER = "X-Dataplane-Delivery";

  /** Header carrying the event (RUN_FAILED, …). */
  public static final String EVENT_HEADER = "X-Dataplane-Event";

  private final ChannelSecrets secrets;
  private final NotificationConfig config;
  private final UrlGuard guard;
  private final Vertx vertx;
  private final HttpClient http;

  public ChannelSender(ChannelSecrets secrets, NotificationConfig config, Vertx vertx) {
    this.secrets = secrets;
    this.config = config;
    this.vertx = vertx;
    this.guard = new UrlGuard(config.allowedHosts().orElse(List.of()));
    this.http =
        HttpClient.newBuilder()
            .connectTimeout(config.sendTimeout())
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
  }

  public UrlGuard guard() {
    return guard;
  }

  public Result send(NotificationChannel ch, String deliveryId, Map<String, Object> facts) {
    try {
      return switch (ch.kind()) {
        case WEBHOOK -> webhook(ch, deliveryId, facts);
        case SLACK -> slack(ch, deliveryId, facts);
        case EMAIL -> email(ch, facts);
      };
    } catch (UrlGuard.RefusedException | ChannelSecrets.MissingException e) {
      return new Result("REFUSED", null, e.getMessage());
    } catch (HttpTimeoutException | TimeoutException e) {
      return new Result("TIMEOUT", null, "no answer within " + config.sendTimeout());
    } catch (IOException e) {
      return new Result("FAILED", null, describe(e));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result("FAILED", null, "interrupted");
    } catch (Exception e) {
      return new Result("FAILED", null, describe(e));
    }
  }

  private Result webhook(NotificationChannel ch, String deliveryId, Map<String, Object> facts)
      throws Exception {
    guard.checkUrl(ch.url(), "the webhook URL");
    byte[] body = Json.mapper().writeValueAsBytes(Messages.webhook(deliveryId, facts));
    String signature = secrets.sign(ch.environment(), ch.secretName(), body);
    return post(
        ch.url(),
        body,
        Map.of(
            SIGNATURE_HEADER,
            "sha256=" + signature,
            DELIVERY_HEADER,
            deliveryId,
            EVENT_HEADER,
            String.valueOf(facts.get("event"))));
  }

  private Result slack(NotificationChannel ch, String deliveryId, Map<String, Object> facts)
      throws Exception {
    String url = secrets.value(ch.environment(), ch.secretName());
    guard.checkUrl(url, "the Slack URL in secret " + ch.secretName());
    byte[] body = Json.mapper().writeValueAsBytes(Messages.slack(facts));
    return post(url, body, Map.of(DELIVERY_HEADER, deliveryId));
  }

  private Result post(String url, byte[] body, Map<String, String> headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(url))
            .timeout(config.sendTimeout())
            .header("Content-Type", "application/json")
            .header("User-Agent", "Dataplane-Notifications")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(req::header);
    // the answer's body is never read: a receiver answering 2 MB costs nothing
    HttpResponse<Void> res = http.send(req.build(), HttpResponse.BodyHandlers.discarding());
    if (res.statusCode() / 100 == 2) {
      return Result.ok(res.statusCode());
    }
    return new Result("FAILED", res.statusCode(), "the receiver answered " + res.statusCode());
  }

  private Result email(NotificationChannel ch, Map<String, Object> facts) throws Exception {
    guard.checkHost(ch.smtpHost(), "the SMTP host");
    String password =
        ch.smtpUsername() == null ? null : secrets.value(ch.environment(), ch.secretName());
    String tls = ch.smtpTls() == null ? "STARTTLS" : ch.smtpTls();
    MailConfig mc =
        new MailConfig()
            .setHostname(ch.smtpHost())
            .setPort(ch.smtpPort())
            .setSsl("TLS".equals(tls))
            .setStarttls(
                "STARTTLS".equals(tls) ? StartTLSOptions.REQUIRED : StartTLSOptions.DISABLED)
            .setKeepAlive(false)
            .setConnectTimeout((int) config.sendTimeout().toMillis());
    if (ch.smtpUsername() != null) {
      mc.setLogin(LoginOption.REQUIRED).setUsername(ch.smtpUsername()).setPassword(password);
    } else {
      mc.setLogin(LoginOption.DISABLED);
    }
    MailMessage m =
        new MailMessage()
            .setFrom(ch.mailFrom())
            .setTo(ch.mailTo())
            .setSubject(Messages.subject(facts))
            .setText(Messages.text(facts));
    MailClient client = MailClient.create(vertx, mc);
    try {
      client
          .sendMail(m)
          .toCompletionStage()
          .toCompletableFuture()
          .get(config.sendTimeout().toMillis(), TimeUnit.MILLISECONDS);
      return Result.ok(null);
    } finally {
      client.close();
    }
  }

  private static String describe(Throwable e) {
    Throwable t = e instanceof ExecutionException && e.getCause() != null ? e.getCause() : e;
    String msg = t.getMessage();
    return Messages.bounded(
        t.getClass().getSimpleName() + (msg == null ? "" : ": " + Messages.oneLine(msg)), 500);
  }
}
