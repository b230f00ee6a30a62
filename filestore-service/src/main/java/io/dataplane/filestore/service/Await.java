package io.dataplane.filestore.service;

import io.dataplane.common.error.DataplaneException;
import io.quarkus.vertx.VertxContextSupport;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.function.Supplier;

/**
 * Where blocking code (streamed uploads and downloads, the blob stores, the collector) meets the
 * reactive data access. Never called on an event loop thread.
 */
public final class Await {

  /** Blocking work that may fail with an IOException. */
  @FunctionalInterface
  public interface IoWork<T> {
    T run() throws IOException;
  }

  private Await() {}

  /**
   * Runs Hibernate Reactive work on a Vert.x context (where its sessions live) and waits for its
   * result; its failures are thrown as they are.
   */
  public static <T> T onContext(Supplier<Uni<T>> work) {
    try {
      return VertxContextSupport.subscribeAndAwait(work);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /**
   * Waits for statements of the reactive pool. An IOException of blocking work inside is thrown as
   * it is; a failure of the database is an IOException with the message {@code failure}.
   */
  public static <T> T io(String failure, Uni<T> work) throws IOException {
    try {
      return work.await().indefinitely();
    } catch (UncheckedIOException e) {
      throw e.getCause();
    } catch (DataplaneException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new IOException(failure + ": " + e.getMessage(), e);
    }
  }

  /** Blocking work inside a reactive transaction: run on a worker thread, never the event loop. */
  public static <T> Uni<T> blocking(IoWork<T> work) {
    return Uni.createFrom()
        .item(
            () -> {
              try {
                return work.run();
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            })
        .runSubscriptionOn(Infrastructure.getDefaultWorkerPool());
  }
}
