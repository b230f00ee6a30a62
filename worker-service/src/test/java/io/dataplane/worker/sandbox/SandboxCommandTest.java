package io.dataplane.worker.sandbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SandboxCommandTest {

  private final SandboxCommand builder = SandboxCommand.standard();
  private final SandboxCommand.Limits limits = new SandboxCommand.Limits(1 << 30, 128, 1 << 20);

  @TempDir Path tmp;

  @Test
  void bwrapDropsPrivilegesLimitsAndIsolates() throws IOException {
    Path scratch = Files.createDirectories(tmp.resolve("scratch/.dp")).getParent();
    Path bundle = Files.createDirectories(tmp.resolve("b1"));
    Files.writeString(bundle.resolve("extract.sh"), "echo");
    List<String> cmd =
        builder.build(
            new SandboxCommand.Spec(
                SandboxMode.BWRAP,
                List.of("/usr/bin/bash", "-euo", "pipefail", "/job/.dp/script.sh"),
                scratch,
                bundle,
                false,
                61001,
                new SandboxCommand.Limits(1 << 30, 128, 1 << 20, 1 << 24)));
    // a root worker: setpriv drops to the slot's uid and becomes bwrap; nothing else in front
    assertThat(cmd.get(0)).isEqualTo("/usr/bin/setpriv");
    assertThat(String.join(" ", cmd))
        .startsWith(
            "/usr/bin/setpriv --reuid=61001 --regid=61001 --clear-groups --no-new-privs"
                + " /usr/bin/bwrap --unshare-all --die-with-parent --new-session")
        .contains("--ro-bind /usr /usr")
        .contains("--ro-bind " + bundle + " /bundle")
        // the task's space is a bounded tmpfs; of the host scratch only .dp, read-only but for
        // the output file
        .contains("--size 16777216 --tmpfs /job")
        .contains("--ro-bind " + scratch + "/.dp /job/.dp")
        .contains("--bind " + scratch + "/.dp/output.json /job/.dp/output.json")
        .contains("--symlink /bundle/extract.sh /job/extract.sh")
        .contains("--remount-ro / --chdir /job --")
        .contains("--size 16777216 --tmpfs /tmp")
        .doesNotContain("--bind " + scratch + " /job")
        // the limits are set inside, the last exec before the task's own
        .endsWith(
            "--chdir /job -- /usr/bin/prlimit --as=1073741824 --nproc=128 --fsize=1048576 --"
                + " /usr/bin/bash -euo pipefail /job/.dp/script.sh")
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
  void aWorkerThatIsNotRootExecsBubblewrapAndNothingElseBeforeIt() {
    // without a uid of its own, RLIMIT_NPROC set outside would count the worker's own threads;
    // inside bubblewrap's user namespace it counts the task's processes only
    List<String> cmd =
        builder.build(
            new SandboxCommand.Spec(
                SandboxMode.BWRAP, List.of("x"), Path.of("/s"), null, false, null, limits));
    assertThat(cmd.get(0)).isEqualTo("/usr/bin/bwrap");
    assertThat(cmd).doesNotContain("/usr/bin/setsid", "/usr/bin/setpriv");
    assertThat(cmd.stream().filter("/usr/bin/prlimit"::equals)).hasSize(1);
    assertThat(String.join(" ", cmd))
        .endsWith(
            "--chdir /job -- /usr/bin/prlimit --as=1073741824 --nproc=128 --fsize=1048576 -- x");
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
