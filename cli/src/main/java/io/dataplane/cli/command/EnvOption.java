package io.dataplane.cli.command;

import picocli.CommandLine.Option;

/** The {@code -e/--env} option of the commands that act on one environment (a picocli mixin). */
final class EnvOption {

  @Option(
      names = {"-e", "--env"},
      required = true,
      defaultValue = "${env:DATAPLANE_ENV}",
      description = "The environment (env DATAPLANE_ENV).")
  String env;
}
