package io.dataplane.worker.sandbox;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * Builds the command line that starts one task process, contained according to the mode. Plain
 * Java: it decides arguments only, it starts nothing.
 *
 * <p>In {@link SandboxMode#BWRAP} mode the worker starts {@code bwrap} itself (as root through
 * {@code setpriv}, which first drops to the slot's unprivileged uid): no {@code setsid}, no {@code
 * prlimit} in front. Bubblewrap builds new namespaces in which only {@code /usr}, the bundle
 * (read-only, at {@value #BUNDLE_DIR}) and the task's space are visible: {@value #JOB_DIR} and
 * {@code /tmp} are tmpfs of a bounded size, the host scratch directory's {@code .dp} is bound
 * read-only at {@code /job/.dp} but for its {@code output.json}, the one file the task writes for
 * the worker (a bind mount: it cannot be replaced by a link or a FIFO). The task lives in a PID
 * namespace of its own whose first process dies with {@code bwrap} ({@code --die-with-parent}):
 * killing the one {@code bwrap} process kills every process of the task, also one that started a
 * session of its own, which a process-group kill would miss. The rlimits are set inside the sandbox
 * by {@code prlimit} right before the interpreter: the last exec before the task's code, and one no
 * environment variable or bundle file can influence (an interpreter reads its environment and
 * start-up files before it runs any line of ours).
 *
 * <p>RLIMIT_NPROC set inside counts the processes of the task's uid in the sandbox's fresh user
 * namespace: a root worker's per-slot uid and a non-root worker's own uid alike count the task's
 * processes only.
 *
 * <p>In {@link SandboxMode#NONE} mode {@code setsid} makes the process lead a new session and
 * process group whose id is its pid (the worker kills the whole group) and {@code prlimit} sets
 * RLIMIT_AS and RLIMIT_FSIZE.
 */
public final class SandboxCommand {

  /** Where the scratch directory appears inside the sandbox. */
  public static final String JOB_DIR = "/job";

  /** Where the bundle appears inside the sandbox. */
  public static final String BUNDLE_DIR = "/bundle";

  /** Files of /etc a task with network access needs for name resolution and TLS. */
  static final List<String> NETWORK_ETC =
      List.of(
          "/etc/resolv.conf",
          "/etc/hosts",
          "/etc/nsswitch.conf",
          "/etc/ssl",
          "/etc/ca-certificates",
          "/etc/pki");

  /** Files of /etc harmless to show to every task. */
  static final List<String> COMMON_ETC =
      // /etc/alternatives: Debian's awk, which, java, … in /usr/bin are links through it
      List.of("/etc/ld.so.cache", "/etc/localtime", "/etc/alternatives");

  /** Where the worker's files for the task lie, in the scratch directory and inside. */
  public static final String DP_DIR = ".dp";

  /** The file the task writes its output to, in {@value #DP_DIR}. */
  public static final String OUTPUT_FILE = "output.json";

  /**
   * Limits of a task; 0 means "not limited".
   *
   * @param addressSpaceBytes RLIMIT_AS
   * @param processes RLIMIT_NPROC (sandbox only)
   * @param fileSizeBytes RLIMIT_FSIZE
   * @param scratchBytes size of each of the sandbox's tmpfs ({@value #JOB_DIR}, {@code /tmp})
   */
  public record Limits(
      long addressSpaceBytes, long processes, long fileSizeBytes, long scratchBytes) {
    public Limits(long addressSpaceBytes, long processes, long fileSizeBytes) {
      this(addressSpaceBytes, processes, fileSizeBytes, 0);
    }

    public static Limits none() {
      return new Limits(0, 0, 0, 0);
    }
  }

  /**
   * What to contain.
   *
   * @param mode {@link SandboxMode#BWRAP} or {@link SandboxMode#NONE} (AUTO resolved already)
   * @param argv the program and its arguments, with paths as the process sees them ({@link
   *     #jobDir()} and {@link #bundleDir()})
   * @param scratch the host scratch directory
   * @param bundle the host bundle directory, or null
   * @param network whether the task may use the network
   * @param uid uid (and gid) to drop to with setpriv before bwrap, or null to keep the worker's own
   */
  public record Spec(
      SandboxMode mode,
      List<String> argv,
      Path scratch,
      Path bundle,
      boolean network,
      Integer uid,
      Limits limits) {
    public Spec {
      Objects.requireNonNull(mode, "mode");
      Objects.requireNonNull(argv, "argv");
      Objects.requireNonNull(scratch, "scratch");
      if (mode == SandboxMode.AUTO) {
        throw new IllegalArgumentException("resolve AUTO before building a command");
      }
      limits = limits == null ? Limits.none() : limits;
    }

    /** The scratch directory as the process sees it. */
    public String jobDir() {
      return mode == SandboxMode.BWRAP ? JOB_DIR : scratch.toString();
    }

    /** The bundle directory as the process sees it, or null. */
    public String bundleDir() {
      if (bundle == null) {
        return null;
      }
      return mode == SandboxMode.BWRAP ? BUNDLE_DIR : bundle.toString();
    }
  }

  private final String setsid;
  private final String setpriv;
  private final String prlimit;
  private final String bwrap;

  public SandboxCommand(String setsid, String setpriv, String prlimit, String bwrap) {
    this.setsid = setsid;
    this.setpriv = setpriv;
    this.prlimit = prlimit;
    this.bwrap = bwrap;
  }

  /** The tools at their usual Debian paths. */
  public static SandboxCommand standard() {
    return new SandboxCommand(
        "/usr/bin/setsid", "/usr/bin/setpriv", "/usr/bin/prlimit", "/usr/bin/bwrap");
  }

  /** The bubblewrap binary. */
  public String bwrap() {
    return bwrap;
  }

  /** Whether bubblewrap is installed where this builder expects it. */
  public boolean bwrapAvailable() {
    return Files.isExecutable(Path.of(bwrap));
  }

  /** The full command line. The environment is passed by the caller, never on the command line. */
  public List<String> build(Spec spec) {
    List<String> cmd = new ArrayList<>();
    if (spec.mode() != SandboxMode.BWRAP) {
      cmd.add(setsid);
      List<String> limits = limits(spec.limits(), false);
      if (!limits.isEmpty()) {
        cmd.add(prlimit);
        cmd.addAll(limits);
        cmd.add("--");
      }
      cmd.addAll(spec.argv());
      return List.copyOf(cmd);
    }
    if (spec.uid() != null) {
      cmd.add(setpriv);
      cmd.add("--reuid=" + spec.uid());
      cmd.add("--regid=" + spec.uid());
      cmd.add("--clear-groups");
      cmd.add("--no-new-privs");
    }
    cmd.add(bwrap);
    cmd.add("--unshare-all");
    if (spec.network()) {
      cmd.add("--share-net");
    }
    // the task's PID namespace ends with bwrap: killing bwrap kills every process of the task
    cmd.add("--die-with-parent");
    cmd.add("--new-session");
    cmd.add("--cap-drop");
    cmd.add("ALL");
    cmd.add("--hostname");
    cmd.add("dataplane-task");
    bind(cmd, "--ro-bind", "/usr", "/usr");
    cmd.add("--symlink");
    cmd.add("usr/bin");
    cmd.add("/bin");
    cmd.add("--symlink");
    cmd.add("usr/sbin");
    cmd.add("/sbin");
    cmd.add("--symlink");
    cmd.add("usr/lib");
    cmd.add("/lib");
    cmd.add("--symlink");
    cmd.add("usr/lib64");
    cmd.add("/lib64");
    for (String etc : COMMON_ETC) {
      bind(cmd, "--ro-bind-try", etc, etc);
    }
    if (spec.network()) {
      for (String etc : NETWORK_ETC) {
        bind(cmd, "--ro-bind-try", etc, etc);
      }
    }
    cmd.add("--proc");
    cmd.add("/proc");
    cmd.add("--dev");
    cmd.add("/dev");
    tmpfs(cmd, spec.limits().scratchBytes(), "/tmp");
    if (spec.bundle() != null) {
      bind(cmd, "--ro-bind", spec.bundle().toString(), BUNDLE_DIR);
    }
    // the task's space: a bounded tmpfs, not the worker's disk
    tmpfs(cmd, spec.limits().scratchBytes(), JOB_DIR);
    Path dp = spec.scratch().resolve(DP_DIR);
    if (Files.isDirectory(dp, LinkOption.NOFOLLOW_LINKS)) {
      bind(cmd, "--ro-bind", dp.toString(), JOB_DIR + "/" + DP_DIR);
      bind(cmd, "--bind", dp.resolve(OUTPUT_FILE).toString(), outputInside());
    }
    // the bundle's files where the task runs (./extract.sh), as links into the read-only bundle
    for (String name : bundleEntries(spec.bundle())) {
      cmd.add("--symlink");
      cmd.add(BUNDLE_DIR + "/" + name);
      cmd.add(JOB_DIR + "/" + name);
    }
    // the sandbox's own root (a tmpfs holding the mount points) is read-only too
    cmd.add("--remount-ro");
    cmd.add("/");
    cmd.add("--chdir");
    cmd.add(JOB_DIR);
    cmd.add("--");
    // inside the sandbox's user namespace, where only the task's processes count
    List<String> limits = limits(spec.limits(), true);
    if (!limits.isEmpty()) {
      cmd.add(prlimit);
      cmd.addAll(limits);
      cmd.add("--");
    }
    cmd.addAll(spec.argv());
    return List.copyOf(cmd);
  }

  /** Where the output file appears inside the sandbox. */
  public static String outputInside() {
    return JOB_DIR + "/" + DP_DIR + "/" + OUTPUT_FILE;
  }

  private static void tmpfs(List<String> cmd, long size, String at) {
    if (size > 0) {
      cmd.add("--size");
      cmd.add(String.valueOf(size));
    }
    cmd.add("--tmpfs");
    cmd.add(at);
  }

  /** Top-level entries of the bundle, in a stable order ({@value #DP_DIR} left out). */
  private static List<String> bundleEntries(Path bundle) {
    if (bundle == null || !Files.isDirectory(bundle)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(bundle)) {
      return entries
          .map(p -> p.getFileName().toString())
          .filter(n -> !n.equals(DP_DIR))
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list the bundle " + bundle, e);
    }
  }

  private static List<String> limits(Limits l, boolean sandboxed) {
    List<String> out = new ArrayList<>();
    if (l.addressSpaceBytes() > 0) {
      out.add("--as=" + l.addressSpaceBytes());
    }
    // RLIMIT_NPROC counts every process of the uid: only inside the sandbox's user namespace, where
    // the task's processes are all there is (outside, the worker's own would count too)
    if (l.processes() > 0 && sandboxed) {
      out.add("--nproc=" + l.processes());
    }
    if (l.fileSizeBytes() > 0) {
      out.add("--fsize=" + l.fileSizeBytes());
    }
    return out;
  }

  private static void bind(List<String> cmd, String kind, String from, String to) {
    cmd.add(kind);
    cmd.add(from);
    cmd.add(to);
  }
}
