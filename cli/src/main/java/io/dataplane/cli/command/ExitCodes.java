package io.dataplane.cli.command;

/** The exit codes every command keeps (docs/cli.md). */
public final class ExitCodes {
  /** Done; for plan: no changes (or changes without --detailed-exitcode). */
  public static final int OK = 0;

  /** Any error: invalid folder or input, refused by the server, drift, a failed run. */
  public static final int ERROR = 1;

  /** plan --detailed-exitcode: the plan has changes. */
  public static final int CHANGES = 2;

  private ExitCodes() {}
}
