package io.dataplane.scheduler.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Notifications (docs/notifications.md), under {@code dataplane.scheduler.notifications}. */
@ConfigMapping(prefix = "dataplane.scheduler.notifications")
public interface NotificationConfig {

  /** Whether this replica sends due notifications (deliveries are still recorded when off). */
  @WithDefault("true")
  boolean enabled();

  /**
   * Base URL of the web console (e.g. https://dataplane.example.com); a notification links to
   * {@code <console-url>/e/<environment>/runs/<run id>}. Unset: no link.
   */
  Optional<String> consoleUrl();

  /**
   * Host names and CIDR blocks that channels may reach although they are loopback, link-local or
   * private (comma-separated; e.g. {@code smtp.internal,10.20.0.0/16}). Empty: only public
   * addresses.
   */
  Optional<List<String>> allowedHosts();

  /** How often due deliveries are looked for. */
  @WithDefault("1S")
  Duration pollInterval();

  /** Most deliveries one poll claims. */
  @WithDefault("20")
  int batchSize();

  /** Time limit of one delivery (connect, send and answer; SMTP too). */
  @WithDefault("10S")
  Duration sendTimeout();

  /** Attempts of a delivery before it is FAILED for good. */
  @WithDefault("8")
  int maxAttempts();

  /** Delay after the first failed attempt; it doubles after each failure. */
  @WithDefault("5S")
  Duration backoffBase();

  /** Longest delay between two attempts. */
  @WithDefault("10M")
  Duration backoffMax();

  /** Days a finished delivery and its attempts stay in the log. 0 keeps them forever. */
  @WithDefault("30")
  int retentionDays();
}
