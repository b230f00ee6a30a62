package io.dataplane.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PortsTest {

  @Test
  void reservedPortsAreBelowTheEphemeralRangeDistinctAndBindable() throws Exception {
    int[] range = Ports.range();
    List<Ports.Reservation> held = new ArrayList<>();
    Set<Integer> seen = new HashSet<>();
    try {
      for (int i = 0; i < 20; i++) {
        Ports.Reservation r = Ports.reserve();
        held.add(r);
        assertThat(r.port).isBetween(range[0], range[1] - 1);
        assertThat(seen.add(r.port)).as("port %d handed out twice while held", r.port).isTrue();
      }
      // the service the port is for can bind it
      try (ServerSocket s = new ServerSocket()) {
        s.bind(new InetSocketAddress(held.get(0).port));
        assertThat(s.getLocalPort()).isEqualTo(held.get(0).port);
      }
    } finally {
      held.forEach(Ports.Reservation::close);
    }
  }

  @Test
  void theRangeEndsBelowTheKernelsEphemeralPorts() throws Exception {
    String line =
        java.nio.file.Files.readAllLines(
                java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
            .get(0);
    int ephemeralLow = Integer.parseInt(line.trim().split("\\s+")[0]);
    assertThat(Ports.range()[1]).isLessThanOrEqualTo(ephemeralLow);
  }
}
