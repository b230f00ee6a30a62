package io.dataplane.scheduler.rest;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real local HTTP receiver for notification tests: every POST to a path is kept (headers, body,
 * time); a path answers 200, or 503 for its first N requests ({@link #failFirst}), or never ({@link
 * #hang}).
 */
final class Receiver implements AutoCloseable {

  record Request(String path, Map<String, List<String>> headers, String body, Instant at) {
    String header(String name) {
      for (var e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name)) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool();
  private final List<Request> requests = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> failFirst = new ConcurrentHashMap<>();
  private final Map<String, Boolean> hang = new ConcurrentHashMap<>();
  private final CountDownLatch closing = new CountDownLatch(1);

  Receiver() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(pool);
    server.createContext(
        "/",
        ex -> {
          String path = ex.getRequestURI().getPath();
          byte[] body = ex.getRequestBody().readAllBytes();
          requests.add(
              new Request(
                  path,
                  Map.copyOf(ex.getRequestHeaders()),
                  new String(body, StandardCharsets.UTF_8),
                  Instant.now()));
          if (hang.containsKey(path)) {
            try {
              closing.await(60, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            ex.close();
            return;
          }
          AtomicInteger fails = failFirst.get(path);
          int status = fails != null && fails.getAndDecrement() > 0 ? 503 : 200;
          ex.sendResponseHeaders(status, -1);
          ex.close();
        });
    server.start();
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.getAddress().getPort() + path;
  }

  void failFirst(String path, int n) {
    failFirst.put(path, new AtomicInteger(n));
  }

  void hang(String path) {
    hang.put(path, true);
  }

  List<Request> at(String path) {
    return requests.stream().filter(r -> r.path().equals(path)).toList();
  }

  @Override
  public void close() {
    closing.countDown();
    server.stop(0);
    pool.shutdownNow();
  }
}
