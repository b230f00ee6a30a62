package io.dataplane.scheduler.service;

import io.dataplane.common.rest.ServiceAuth;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** Calls to another Dataplane service at a configured URL, with the scheduler's service token. */
final class ServiceHttp {

  private final Optional<String> baseUrl;
  private final Optional<String> token;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  /** With the scheduler's own service token (DATAPLANE_SERVICE_TOKENS_SCHEDULER) or none. */
  ServiceHttp(Optional<String> baseUrl) {
    this(baseUrl, Optional.of(ServiceAuth.outgoingToken()).filter(t -> !t.isEmpty()));
  }

  ServiceHttp(Optional<String> baseUrl, Optional<String> token) {
    this.baseUrl = baseUrl.map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u);
    this.token = token;
  }

  /** Whether a URL is set (without one, the callers are off). */
  boolean configured() {
    return baseUrl.isPresent();
  }

  /** A request to the path (from {@code /api}), with the token. */
  HttpRequest.Builder request(String path, Duration timeout) {
    HttpRequest.Builder req =
        HttpRequest.newBuilder(URI.create(baseUrl.orElseThrow() + path)).timeout(timeout);
    token.ifPresent(t -> req.header("Authorization", "Bearer " + t));
    return req;
  }

  /** A JSON POST to the path, with the token. */
  HttpRequest.Builder post(String path, byte[] json) {
    return request(path, Duration.ofSeconds(5))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(json));
  }

  <T> HttpResponse<T> send(HttpRequest.Builder req, HttpResponse.BodyHandler<T> body)
      throws IOException, InterruptedException {
    return http.send(req.build(), body);
  }

  /** Sends the request; an interrupt is an IOException (with the thread's flag set again). */
  HttpResponse<byte[]> send(HttpRequest.Builder req) throws IOException {
    try {
      return send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** The path of an operation on an environment's secret at secrets-service. */
  static String secretPath(String env, String name, String op) {
    return "/api/v1/environments/" + segment(env) + "/secrets/" + segment(name) + "/" + op;
  }

  /** A value as one path segment. */
  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }
}
