package io.dataplane.gateway.security;

import java.util.Set;

/**
 * One entry of an API key's scope: permissions on an environment ({@code *}: every environment) and
 * optionally on one pipeline of it.
 */
public record KeyScope(String environment, String pipeline, Set<Permission> permissions) {

  public KeyScope {
    permissions = permissions == null ? Set.of() : Set.copyOf(permissions);
  }

  boolean allows(Permission p, String env, String pipe) {
    boolean envMatches = "*".equals(environment) || (env != null && environment.equals(env));
    boolean pipeMatches = pipeline == null || pipeline.isEmpty() || pipeline.equals(pipe);
    return envMatches && pipeMatches && Permission.allows(permissions, p);
  }
}
