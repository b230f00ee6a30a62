package io.dataplane.scheduler.notify;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;

/**
 * Refuses notification targets (webhook and Slack URLs, SMTP hosts) that point at the platform
 * itself: loopback, link-local (cloud metadata at 169.254.169.254), private (RFC 1918, unique-local
 * IPv6), shared (100.64/10), unspecified and multicast addresses, unless an operator allow-list
 * names the host or a CIDR block that holds the address. Every address a name resolves to is
 * checked, so a public name with one private record is refused too. Plain Java.
 */
public final class UrlGuard {

  /** A target that may not be used, with the reason (never the URL's path or query). */
  public static final class RefusedException extends Exception {
    public RefusedException(String message) {
      super(message);
    }
  }

  private record Block(byte[] network, int bits) {}

  private final List<String> hosts = new ArrayList<>();
  private final List<Block> blocks = new ArrayList<>();
  private final Function<String, InetAddress[]> resolver;

  /**
   * @param allowList host names (exact, case-insensitive) and CIDR blocks ({@code 10.1.0.0/16},
   *     {@code 127.0.0.1/32}, {@code fd00::/8}) that may be used although private
   */
  public UrlGuard(List<String> allowList) {
    this(allowList, UrlGuard::resolve);
  }

  UrlGuard(List<String> allowList, Function<String, InetAddress[]> resolver) {
    this.resolver = resolver;
    for (String raw : allowList) {
      String e = raw.strip().toLowerCase(Locale.ROOT);
      if (e.isEmpty()) {
        continue;
      }
      int slash = e.indexOf('/');
      if (slash > 0) {
        try {
          byte[] net = InetAddress.getByName(e.substring(0, slash)).getAddress();
          int bits = Integer.parseInt(e.substring(slash + 1));
          if (bits < 0 || bits > net.length * 8) {
            throw new IllegalArgumentException("bad prefix length in " + raw);
          }
          blocks.add(new Block(net, bits));
        } catch (UnknownHostException | NumberFormatException ex) {
          throw new IllegalArgumentException("not a CIDR block: " + raw);
        }
      } else {
        hosts.add(e);
      }
    }
  }

  private static InetAddress[] resolve(String host) {
    try {
      return InetAddress.getAllByName(host);
    } catch (UnknownHostException e) {
      return new InetAddress[0];
    }
  }

  /**
   * Checks an http(s) URL.
   *
   * @param what how to name the target in the reason ("the webhook URL", "the Slack URL of secret
   *     X"); the URL itself is never in the reason, as a Slack URL is a secret
   */
  public void checkUrl(String url, String what) throws RefusedException {
    URI uri;
    try {
      uri = new URI(url);
    } catch (Exception e) {
      throw new RefusedException(what + " is not a valid URL");
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("http") && !scheme.equals("https")) {
      throw new RefusedException(what + " must be an http or https URL");
    }
    if (uri.getHost() == null || uri.getRawUserInfo() != null) {
      throw new RefusedException(what + " must name a host (and no user info)");
    }
    checkHost(uri.getHost(), what);
  }

  /** Checks a host name or address literal (brackets of an IPv6 literal allowed). */
  public void checkHost(String host, String what) throws RefusedException {
    String h = host.strip().toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) {
      h = h.substring(1, h.length() - 1);
    }
    if (h.isEmpty()) {
      throw new RefusedException(what + " names no host");
    }
    if (hosts.contains(h)) {
      return;
    }
    InetAddress[] addresses = resolver.apply(h);
    if (addresses.length == 0) {
      throw new RefusedException(what + ": host " + h + " does not resolve");
    }
    for (InetAddress a : addresses) {
      if (internal(a) && !allowed(a)) {
        throw new RefusedException(
            what
                + ": host "
                + h
                + " resolves to an internal address ("
                + a.getHostAddress()
                + "); an operator may allow it in"
                + " dataplane.scheduler.notifications.allowed-hosts");
      }
    }
  }

  private boolean allowed(InetAddress a) {
    byte[] addr = a.getAddress();
    for (Block b : blocks) {
      if (b.network().length == addr.length && matches(addr, b.network(), b.bits())) {
        return true;
      }
    }
    return false;
  }

  private static boolean matches(byte[] addr, byte[] net, int bits) {
    for (int i = 0; i < bits; i++) {
      int mask = 0x80 >> (i % 8);
      if ((addr[i / 8] & mask) != (net[i / 8] & mask)) {
        return false;
      }
    }
    return true;
  }

  /** Whether an address belongs to the platform's own networks rather than the internet. */
  static boolean internal(InetAddress a) {
    if (a.isLoopbackAddress()
        || a.isLinkLocalAddress()
        || a.isSiteLocalAddress()
        || a.isAnyLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (a instanceof Inet4Address) {
      int b0 = b[0] & 0xff;
      int b1 = b[1] & 0xff;
      return b0 == 0 // this network
          || (b0 == 100 && (b1 & 0xc0) == 64) // shared address space 100.64/10
          || (b0 == 192 && b1 == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
          || (b0 == 198 && (b1 == 18 || b1 == 19)) // benchmarking
          || b0 >= 240; // reserved, broadcast
    }
    if (a instanceof Inet6Address) {
      int b0 = b[0] & 0xff;
      if ((b0 & 0xfe) == 0xfc) {
        return true; // unique local fc00::/7
      }
      boolean v4Mapped = true;
      for (int i = 0; i < 10; i++) {
        v4Mapped &= b[i] == 0;
      }
      boolean v4Compatible = v4Mapped && b[10] == 0 && b[11] == 0;
      v4Mapped &= (b[10] & 0xff) == 0xff && (b[11] & 0xff) == 0xff;
      if (v4Mapped || v4Compatible) {
        try {
          return internal(InetAddress.getByAddress(new byte[] {b[12], b[13], b[14], b[15]}));
        } catch (UnknownHostException e) {
          return true;
        }
      }
    }
    return false;
  }
}
