package io.dataplane.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import io.dataplane.cli.api.ApiException;
import io.dataplane.cli.api.GatewayClient;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * The environment's apply lock (the gateway's {@code acquireApplyLock}), held while an apply works:
 * a second apply to the same environment waits up to its {@code --lock-timeout} or is refused,
 * naming who holds the lock until when. The lock expires by itself if this process dies.
 */
final class ApplyLock implements AutoCloseable {

  /** How long the lock is taken for: longer than any apply, short enough after a crash. */
  static final int TTL_SECONDS = 900;

  private final GatewayClient gw;
  private final String environment;
  private final String token;

  private ApplyLock(GatewayClient gw, String environment, String token) {
    this.gw = gw;
    this.environment = environment;
    this.token = token;
  }

  static ApplyLock acquire(
      GatewayClient gw, String environment, int timeoutSeconds, PrintWriter err)
      throws IOException, InterruptedException {
    Instant deadline = Instant.now().plusSeconds(Math.max(0, timeoutSeconds));
    boolean told = false;
    while (true) {
      try {
        Map<String, Object> v = new HashMap<>();
        v.put("e", environment);
        v.put("h", holder());
        v.put("t", TTL_SECONDS);
        JsonNode lock =
            gw.graphql(
                    "mutation($e: String!, $h: String, $t: Int) { acquireApplyLock(environment: $e, holder: $h, ttlSeconds: $t) { token expiresAt } }",
                    v)
                .path("acquireApplyLock");
        return new ApplyLock(gw, environment, lock.path("token").asText());
      } catch (ApiException e) {
        if (!"CONFLICT".equals(e.code())) {
          throw e;
        }
        if (Instant.now().isAfter(deadline)) {
          throw new CliException(
              e.getMessage()
                  + (timeoutSeconds > 0
                      ? " (waited " + timeoutSeconds + "s)"
                      : ": wait for it, or pass --lock-timeout SECONDS"));
        }
        if (!told) {
          err.println(e.getMessage() + ": waiting for it");
          err.flush();
          told = true;
        }
        Thread.sleep(2000); // the other apply's progress: polled, at most until the deadline
      }
    }
  }

  /** What the lock says about its holder: user, host and process. */
  static String holder() {
    String host;
    try {
      host = InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      host = "unknown-host";
    }
    return "dataplane apply by "
        + System.getProperty("user.name")
        + "@"
        + host
        + " pid "
        + ProcessHandle.current().pid();
  }

  @Override
  public void close() throws IOException {
    gw.graphql(
        "mutation($e: String!, $t: String!) { releaseApplyLock(environment: $e, token: $t) }",
        Map.of("e", environment, "t", token));
  }
}
