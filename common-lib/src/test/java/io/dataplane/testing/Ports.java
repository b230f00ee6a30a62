package io.dataplane.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports for the servers and processes the tests start (system-tests, and the modules' own
 * integration tests), reserved until the test lets them go.
 *
 * <p>A port the kernel handed out for {@code bind(0)} and that was closed again belongs to the
 * ephemeral range ({@code net.ipv4.ip_local_port_range}, 32768–60999 by default): until the service
 * binds it, any outgoing connection of the machine (the platform's own, to PostgreSQL and Kafka)
 * may take it, and the service fails with "Port … seems to be in use". So ports are taken below
 * that range, where the kernel never picks one for an outgoing connection, and each is held by a
 * lock file ({@code $TMPDIR/dataplane-test-ports/<port>.lock}) for as long as the test needs it,
 * restarts included: another test JVM of this machine (another checkout, another suite) takes a
 * different one.
 */
public final class Ports {

  private static final Path LOCKS =
      Path.of(System.getProperty("java.io.tmpdir"), "dataplane-test-ports");

  /** A reserved port; closing it lets another test take it. */
  public static final class Reservation implements AutoCloseable {
    public final int port;
    private final FileChannel channel;
    private final FileLock lock;

    private Reservation(int port, FileChannel channel, FileLock lock) {
      this.port = port;
      this.channel = channel;
      this.lock = lock;
    }

    @Override
    public void close() {
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        // the lock goes with the channel or with the JVM
      }
    }
  }

  private Ports() {}

  /** The range ports are taken from: the 12,000 ports below the ephemeral range. */
  public static int[] range() {
    int low = 32768;
    // read line-wise: Files.readString trusts the size /proc reports and reads one byte of it
    try (var in = Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      low = Integer.parseInt(in.readLine().trim().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      // not Linux: the IANA dynamic range starts at 49152, 32768 is below both
    }
    int to = Math.min(low, 32768);
    int from = Math.max(1024, to - 12000);
    if (to - from < 100) {
      throw new IllegalStateException(
          "no room below the ephemeral port range (it starts at " + low + ")");
    }
    return new int[] {from, to};
  }

  /** Reserves a port that is free now and outside the ephemeral range. */
  public static Reservation reserve() {
    int[] range = range();
    int size = range[1] - range[0];
    int start = ThreadLocalRandom.current().nextInt(size);
    try {
      Files.createDirectories(LOCKS);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (int i = 0; i < size; i++) {
      int port = range[0] + (start + i) % size;
      Reservation r = tryLock(port);
      if (r == null) {
        continue;
      }
      if (bindable(port)) {
        return r;
      }
      r.close();
    }
    throw new IllegalStateException("no free port in " + range[0] + "-" + range[1]);
  }

  private static Reservation tryLock(int port) {
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              LOCKS.resolve(port + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock != null) {
        return new Reservation(port, channel, lock);
      }
    } catch (IOException | OverlappingFileLockException e) {
      // taken by this JVM or unusable: try the next
    }
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException e) {
        // nothing held
      }
    }
    return null;
  }

  /** Whether a service could listen on the port now, on every address (as Quarkus does). */
  private static boolean bindable(int port) {
    for (InetAddress address : new InetAddress[] {null, InetAddress.getLoopbackAddress()}) {
      try (ServerSocket s = new ServerSocket()) {
        s.setReuseAddress(true);
        s.bind(
            address == null ? new InetSocketAddress(port) : new InetSocketAddress(address, port));
      } catch (IOException e) {
        return false;
      }
    }
    return true;
  }
}
