package io.dataplane.cli.command;

import picocli.CommandLine.Command;

@Command(
    mixinStandardHelpOptions = true,
    name = "lock",
    description = "The apply lock of an environment.",
    subcommands = {LockCommand.Status.class})
final class LockCommand {

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Who holds the environment's apply lock, until when.")
  static final class Status implements java.util.concurrent.Callable<Integer> {
    @Override
    public Integer call() {
      throw new CliException("not available yet");
    }
  }
}
