package io.dataplane.orchestrator.client;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorCodes;
import io.dataplane.common.json.Json;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

/**
 * Asks secrets-service which secrets an environment holds (names only), to check a promotion. Plain
 * JDK HTTP client with a short timeout and one retry (the call is idempotent).
 */
public final class SecretsClient {

  private final String baseUrl;
  private final String serviceToken;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  public SecretsClient(String baseUrl, String serviceToken) {
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.serviceToken = serviceToken;
  }

  /** The names of the environment's secrets (empty when secrets-service does not know it). */
  public Set<String> secretNames(String environment) {
    HttpRequest req =
        HttpRequest.newBuilder(
                URI.create(
                    baseUrl
                        + "/api/v1/environments/"
                        + URLEncoder.encode(environment, StandardCharsets.UTF_8)
                        + "/secrets"))
            .timeout(Duration.ofSeconds(5))
            .header("Authorization", "Bearer " + serviceToken)
            .header("Accept", "application/json")
            .GET()
            .build();
    IOException last = null;
    for (int i = 0; i < 2; i++) {
      try {
        HttpResponse<String> res = http.send(req, HttpResponse.BodyHandlers.ofString());
        if (res.statusCode() == 404) {
          return Set.of();
        }
        if (res.statusCode() != 200) {
          throw unavailable("secrets-service answered " + res.statusCode());
        }
        Set<String> names = new HashSet<>();
        for (JsonNode n : Json.mapper().readTree(res.body())) {
          if (n.hasNonNull("name")) {
            names.add(n.get("name").asText());
          }
        }
        return names;
      } catch (IOException e) {
        last = e;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw unavailable("interrupted");
      }
    }
    throw unavailable("secrets-service cannot be reached: " + last.getMessage());
  }

  private static DataplaneException unavailable(String why) {
    return new DataplaneException(
        ErrorCodes.UNAVAILABLE, "cannot check the target's secrets (" + why + ")");
  }
}
