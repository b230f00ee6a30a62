package io.dataplane.gateway.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.dataplane.gateway.security.RoleBindingService.RoleBinding;
import io.dataplane.gateway.security.RoleBindingService.ScopeKind;
import io.dataplane.gateway.security.RoleBindingService.SubjectKind;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The permission rules, without Quarkus. */
class PermissionRulesTest {

  private static RoleBinding binding(ScopeKind kind, String env, String resource, Permission... p) {
    return new RoleBinding(
        UUID.randomUUID(),
        SubjectKind.USER,
        "u",
        kind,
        env,
        resource,
        EnumSet.copyOf(List.of(p)),
        "admin",
        Instant.now(),
        "u",
        false);
  }

  @Test
  void anyPermissionImpliesReadButNothingElse() {
    assertThat(Permission.allows(Set.of(Permission.EXECUTE), Permission.READ)).isTrue();
    assertThat(Permission.allows(Set.of(Permission.EXECUTE), Permission.WRITE)).isFalse();
    assertThat(Permission.allows(Set.of(), Permission.READ)).isFalse();
    assertThat(Permission.allows(Set.of(Permission.ADMIN), Permission.SECRETS)).isTrue();
  }

  @Test
  void environmentBindingsCoverTheirPipelinesButNotOtherEnvironments() {
    List<RoleBinding> b = List.of(binding(ScopeKind.ENVIRONMENT, "dev", "", Permission.WRITE));
    assertThat(RoleBindingService.effective(b, "dev", "etl", null))
        .containsExactly(Permission.WRITE);
    assertThat(RoleBindingService.effective(b, "prod", "etl", null)).isEmpty();
  }

  @Test
  void pipelineAndWorkerGroupBindingsStayOnTheirObject() {
    List<RoleBinding> b =
        List.of(
            binding(ScopeKind.PIPELINE, "prod", "etl", Permission.EXECUTE),
            binding(ScopeKind.WORKER_GROUP, "prod", "gpu", Permission.READ));
    assertThat(RoleBindingService.effective(b, "prod", "etl", null))
        .containsExactly(Permission.EXECUTE);
    assertThat(RoleBindingService.effective(b, "prod", "other", null)).isEmpty();
    assertThat(RoleBindingService.effective(b, "prod", null, null)).isEmpty();
    assertThat(RoleBindingService.effective(b, "prod", null, "gpu"))
        .containsExactly(Permission.READ);
    assertThat(RoleBindingService.environmentsOf(b)).containsExactly("prod");
  }

  @Test
  void aKeyNeverExceedsItsScope() {
    Caller key =
        new Caller(
            "sub-alice",
            "alice",
            Set.of(),
            false,
            UUID.randomUUID(),
            List.of(new KeyScope("dev", "etl", Set.of(Permission.EXECUTE))));
    assertThat(key.keyAllows(Permission.EXECUTE, "dev", "etl")).isTrue();
    assertThat(key.keyAllows(Permission.READ, "dev", "etl")).isTrue();
    assertThat(key.keyAllows(Permission.WRITE, "dev", "etl")).isFalse();
    assertThat(key.keyAllows(Permission.EXECUTE, "dev", "other")).isFalse();
    assertThat(key.keyAllows(Permission.EXECUTE, "prod", "etl")).isFalse();
    assertThat(key.keyAllows(Permission.READ, "dev", null)).isFalse();
    assertThat(key.keyAllowsAdmin()).isFalse();
    Caller token = new Caller("sub-alice", "alice", Set.of(), false, null, List.of());
    assertThat(token.keyAllows(Permission.WRITE, "prod", null)).isTrue();
    assertThat(token.keyAllowsAdmin()).isTrue();
  }

  @Test
  void anAdminKeyNeedsAnExplicitAdminScope() {
    Caller star =
        new Caller(
            "sub-admin",
            "admin",
            Set.of(),
            true,
            UUID.randomUUID(),
            List.of(new KeyScope("*", null, Set.of(Permission.ADMIN))));
    assertThat(star.keyAllowsAdmin()).isTrue();
    assertThat(star.keyAllows(Permission.SECRETS, "prod", null)).isTrue();
  }
}
