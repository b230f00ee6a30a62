package io.dataplane.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class SandboxCommandTest {

  private final SandboxCommand builder = SandboxCommand.standard();
  private final SandboxCommand.Limits limits = new SandboxCommand.Limits(1 << 30, 128, 1 << 20);

  @Test
  void bwrapDropsPrivilegesLimitsAndIsolates() {
    List<String> cmd =
        builder.build(
            new SandboxCommand.Spec(
                SandboxMode.BWRAP,
                List.of("/usr/bin/bash", "-euo", "pipefail", "/job/.dp/script.sh"),
                Path.of("/w/scratch"),
                Path.of("/cache/b1"),
                false,
                61001,
                limits));
    assertThat(cmd.get(0)).isEqualTo("/usr/bin/setsid");
    assertThat(String.join(" ", cmd))
        .contains("/usr/bin/setpriv --reuid=61001 --regid=61001 --clear-groups --no-new-privs")
        .contains("/usr/bin/prlimit --as=1073741824 --nproc=128 --fsize=1048576 --")
        .contains("--unshare-all --die-with-parent --new-session")
        .contains("--ro-bind /usr /usr")
        .contains("--ro-bind /cache/b1 /bundle")
        .contains("--bind /w/scratch /job --remount-ro / --chdir /job")
        .contains("--tmpfs /tmp")
        .endsWith("-- /usr/bin/bash -euo pipefail /job/.dp/script.sh")
        .doesNotContain("--share-net")
        .doesNotContain("/etc/resolv.conf")
        .doesNotContain("--setenv");
  }

  @Test
  void networkIsSharedOnlyWhenAllowed() {
    List<String> cmd =
        builder.build(
            new SandboxCommand.Spec(
                SandboxMode.BWRAP,
                List.of("x"),
                Path.of("/s"),
                null,
                true,
                null,
                SandboxCommand.Limits.none()));
    assertThat(String.join(" ", cmd))
        .contains("--unshare-all --share-net")
        .contains("--ro-bind-try /etc/resolv.conf /etc/resolv.conf")
        .doesNotContain("setpriv")
        .doesNotContain("prlimit")
        .doesNotContain("/bundle");
  }

  @Test
  void noneModeIsASessionWithLimitsButNoProcessLimit() {
    List<String> cmd =
        builder.build(
            new SandboxCommand.Spec(
                SandboxMode.NONE,
                List.of("/usr/bin/python3", "-u", "/w/s/.dp/script.py"),
                Path.of("/w/s"),
                null,
                false,
                61001,
                limits));
    assertThat(cmd)
        .containsExactly(
            "/usr/bin/setsid",
            "/usr/bin/prlimit",
            "--as=1073741824",
            "--fsize=1048576",
            "--",
            "/usr/bin/python3",
            "-u",
            "/w/s/.dp/script.py");
  }

  @Test
  void pathsAsTheProcessSeesThem() {
    SandboxCommand.Spec boxed =
        new SandboxCommand.Spec(
            SandboxMode.BWRAP, List.of(), Path.of("/w/s"), Path.of("/c/b"), false, null, null);
    assertThat(boxed.jobDir()).isEqualTo("/job");
    assertThat(boxed.bundleDir()).isEqualTo("/bundle");
    SandboxCommand.Spec plain =
        new SandboxCommand.Spec(
            SandboxMode.NONE, List.of(), Path.of("/w/s"), Path.of("/c/b"), false, null, null);
    assertThat(plain.jobDir()).isEqualTo("/w/s");
    assertThat(plain.bundleDir()).isEqualTo("/c/b");
  }

  @Test
  void autoMustBeResolvedFirst() {
    assertThatThrownBy(
            () ->
                new SandboxCommand.Spec(
                    SandboxMode.AUTO, List.of(), Path.of("/s"), null, false, null, null))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
