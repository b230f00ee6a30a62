package io.dataplane.cli.plan;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The objects of one environment, local (the folder) or remote (the server), keyed {@code
 * kind/name}; {@code unreleased}: pipelines whose draft has no release yet (remote only).
 */
public final class EnvState {

  private final Map<String, StateObject> objects = new TreeMap<>();
  private final Set<String> unreleased = new TreeSet<>();
  private final Set<String> secrets = new TreeSet<>();
  private final Map<String, java.util.List<String>> releases = new TreeMap<>();

  public EnvState add(StateObject o) {
    objects.put(o.key(), o);
    return this;
  }

  public EnvState unreleased(String pipeline) {
    unreleased.add(pipeline);
    return this;
  }

  public Map<String, StateObject> objects() {
    return objects;
  }

  public Collection<StateObject> all() {
    return objects.values();
  }

  public StateObject get(String kind, String name) {
    return objects.get(kind + "/" + name);
  }

  public Set<String> unreleased() {
    return unreleased;
  }

  /**
   * The names of the environment's secrets (remote only): grants and channels may name only these.
   * Not part of the digests: setting an unrelated secret is no drift.
   */
  public Set<String> secrets() {
    return secrets;
  }

  /**
   * Release ids of a pipeline, oldest first (remote only, for the pipelines whose releases were
   * read): a pin's number {@code n} is the n-th of them.
   */
  public Map<String, java.util.List<String>> releases() {
    return releases;
  }

  /**
   * A digest per object (its normalized spec and server id) and {@code release/<pipeline>} for an
   * unreleased draft: what a plan remembers of the remote state, to name what drifted.
   */
  public Map<String, String> digests() {
    Map<String, String> d = new TreeMap<>();
    for (StateObject o : objects.values()) {
      d.put(
          o.key(),
          Specs.sha256(
              Specs.canonicalText(o.spec()) + "\n" + (o.remoteId() == null ? "" : o.remoteId())));
    }
    for (String p : unreleased) {
      d.put("release/" + p, "unreleased");
    }
    return d;
  }

  /** One digest of the whole state. */
  public String digest() {
    return Specs.sha256(Specs.canonicalText(Specs.JSON.valueToTree(digests())));
  }
}
