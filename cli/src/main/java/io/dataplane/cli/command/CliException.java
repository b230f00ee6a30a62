package io.dataplane.cli.command;

/** A refusal the user must read: printed as {@code error: message}, exit code 1. */
public class CliException extends RuntimeException {
  public CliException(String message) {
    super(message);
  }
}
