package io.dataplane.cli;

import io.dataplane.cli.command.DataplaneCommand;

/** {@code dataplane}: the command line of the platform. */
public final class Main {

  private Main() {}

  public static void main(String[] args) {
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code (0 ok, 1 error, 2 changes; docs/cli.md). */
  public static int run(String... args) {
    return DataplaneCommand.commandLine().execute(args);
  }
}
