package io.dataplane.scheduler.service;

import io.dataplane.common.error.DataplaneException;

/** Conflicts (409) the services answer alike. */
final class Conflicts {

  private Conflicts() {}

  /** Refuses a name another {@code what} of the environment already has. */
  static void refuseTakenName(boolean taken, String what, String name, String env) {
    if (taken) {
      throw DataplaneException.conflict(
          "a " + what + " named " + name + " already exists in " + env);
    }
  }
}
