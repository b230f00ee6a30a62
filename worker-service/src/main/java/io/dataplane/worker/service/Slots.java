package io.dataplane.worker.service;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The worker's slots, numbered from 0: one is reserved before a claim and given back when the claim
 * failed or the attempt ended. A slot's number picks the task's uid (a root worker). While draining
 * no slot is handed out. Plain Java, thread-safe.
 */
public final class Slots {

  private final int size;
  private final Deque<Integer> free = new ArrayDeque<>();
  private final boolean[] taken;
  private boolean draining;

  public Slots(int size) {
    if (size < 1) {
      throw new IllegalArgumentException("a worker needs at least one slot, not " + size);
    }
    this.size = size;
    this.taken = new boolean[size];
    for (int i = 0; i < size; i++) {
      free.add(i);
    }
  }

  /** Slots per core when none are configured (docs/adr/0002: fanout100 at 1×, 2× and 4×). */
  public static final int PER_CORE = 4;

  /**
   * The number of slots a worker runs: the configured number, or {@link #PER_CORE} per core when 0
   * (or less) is configured. Tasks spend much of their time waiting (on the sandbox's set-up, on
   * the hops around them, on the databases and services they call), so one slot per core leaves the
   * cores idle.
   */
  public static int count(int configured, int cores) {
    return configured > 0 ? configured : PER_CORE * Math.max(1, cores);
  }

  public int size() {
    return size;
  }

  /** Slots not reserved now (also while draining, when none is handed out). */
  public synchronized int free() {
    return free.size();
  }

  /** Reserves a free slot; returns its number, or -1 when none is free or the worker drains. */
  public synchronized int reserve() {
    if (draining || free.isEmpty()) {
      return -1;
    }
    int slot = free.poll();
    taken[slot] = true;
    return slot;
  }

  /**
   * Reserves a slot, waiting up to {@code timeout} for one to be given back; -1 when none came in
   * time or the worker drains.
   */
  public synchronized int reserve(Duration timeout) throws InterruptedException {
    waitFor(() -> draining || !free.isEmpty(), timeout);
    return reserve();
  }

  /** Gives a reserved slot back. A slot that is not reserved is refused: it would be run twice. */
  public synchronized void release(int slot) {
    if (slot < 0 || slot >= size || !taken[slot]) {
      throw new IllegalArgumentException("slot " + slot + " is not reserved");
    }
    taken[slot] = false;
    free.add(slot);
    notifyAll();
  }

  /** Waits until a slot is free and the worker takes work; false when {@code timeout} passed. */
  public synchronized boolean awaitFree(Duration timeout) throws InterruptedException {
    return waitFor(() -> !draining && !free.isEmpty(), timeout);
  }

  /** Waits (holding this monitor) until {@code ready} holds; false when {@code timeout} passed. */
  private boolean waitFor(BooleanSupplier ready, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!ready.getAsBoolean()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    return true;
  }

  /** Stops handing out slots, for good. */
  public synchronized void drain() {
    draining = true;
    notifyAll();
  }

  public synchronized boolean draining() {
    return draining;
  }
}
