package io.dataplane.common.events;

import java.util.List;

/** Secrets of an environment changed; names and versions only, never values. */
public record SecretChanged(String environment, List<Change> changes) implements Event {

  /** One secret's new version, or its deletion. */
  public record Change(String name, int version, boolean deleted) {}
}
