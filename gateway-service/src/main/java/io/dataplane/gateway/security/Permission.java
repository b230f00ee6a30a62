package io.dataplane.gateway.security;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * What a role binding allows on its scope. Any permission on a scope also allows reading it; {@code
 * ADMIN} exists only on the platform scope and allows everything.
 */
public enum Permission {
  READ,
  WRITE,
  DELETE,
  EXECUTE,
  SECRETS,
  RELEASE,
  ADMIN;

  /** Whether holding these permissions allows {@code wanted}. */
  public static boolean allows(Set<Permission> held, Permission wanted) {
    if (held.isEmpty()) {
      return false;
    }
    return held.contains(ADMIN) || held.contains(wanted) || wanted == READ;
  }

  public static Optional<Permission> parse(String s) {
    if (s == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(valueOf(s.strip().toUpperCase(Locale.ROOT)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  public static Set<Permission> parseAll(String csv) {
    Set<Permission> out = EnumSet.noneOf(Permission.class);
    if (csv == null || csv.isBlank()) {
      return out;
    }
    for (String p : csv.split(",")) {
      parse(p).ifPresent(out::add);
    }
    return out;
  }

  public String lower() {
    return name().toLowerCase(Locale.ROOT);
  }
}
