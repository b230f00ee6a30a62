package io.dataplane.cli.api;

import java.net.http.HttpRequest;

/** How the CLI signs its calls: an API key (CI), a bearer token, or none. */
public interface Auth {

  void sign(HttpRequest.Builder request);

  /** {@code X-Api-Key: <key>}: what CI uses ({@code DATAPLANE_API_KEY}). */
  static Auth apiKey(String key) {
    return r -> r.header("X-Api-Key", key);
  }

  /** {@code Authorization: Bearer <token>}: an OIDC access token. */
  static Auth bearer(String token) {
    return r -> r.header("Authorization", "Bearer " + token);
  }

  static Auth none() {
    return r -> {};
  }
}
