package io.dataplane.gateway.graphql;

import static io.dataplane.gateway.client.Backends.SECRETS;

import io.dataplane.gateway.client.Backends;
import io.dataplane.gateway.client.Dtos.Secret;
import io.dataplane.gateway.client.Dtos.SecretAuditEntry;
import io.dataplane.gateway.client.Requests;
import io.dataplane.gateway.client.SecretsClient;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.Permission;
import io.smallrye.common.annotation.Blocking;
import java.util.List;
import org.eclipse.microprofile.graphql.Description;
import org.eclipse.microprofile.graphql.GraphQLApi;
import org.eclipse.microprofile.graphql.Mutation;
import org.eclipse.microprofile.graphql.NonNull;
import org.eclipse.microprofile.graphql.Query;
import org.eclipse.microprofile.rest.client.inject.RestClient;

/**
 * Secrets: metadata to readers of the environment; setting, deleting, granting and the audit trail
 * need the {@code secrets} permission. Values are never returned.
 */
@GraphQLApi
@Blocking
public class SecretGraphQLApi {

  private final Guard guard;
  private final SecretsClient secrets;

  public SecretGraphQLApi(Guard guard, @RestClient SecretsClient secrets) {
    this.guard = guard;
    this.secrets = secrets;
  }

  @Query("secrets")
  @Description("Secret metadata of an environment (names, versions, grants; never values)")
  public List<Secret> secrets(@NonNull String environment) {
    Inputs.check().name("environment", environment).orFail();
    guard.require(Permission.READ, environment, null, "secrets");
    return Backends.call(SECRETS, () -> secrets.secrets(environment));
  }

  @Query("secret")
  public Secret secret(@NonNull String environment, @NonNull String name) {
    check(environment, name);
    guard.require(Permission.READ, environment, null, "secret");
    return Backends.call(SECRETS, () -> secrets.secret(environment, name));
  }

  @Mutation("setSecret")
  @Description("Sets a secret's value (a new version); the value is never shown again")
  public Secret setSecret(
      @NonNull String environment, @NonNull String name, @NonNull String value) {
    check(environment, name);
    Inputs.check().required("value", value).maxLength("value", value, 64 * 1024).orFail();
    Caller c = guard.require(Permission.SECRETS, environment, null, "setSecret");
    return guard.mutation(
        c,
        "setSecret",
        "secret " + name,
        environment,
        "new value (" + value.length() + " characters)",
        SECRETS,
        () -> secrets.setSecret(environment, name, new Requests.SecretValue(value)));
  }

  @Mutation("deleteSecret")
  public boolean deleteSecret(@NonNull String environment, @NonNull String name) {
    check(environment, name);
    Caller c = guard.require(Permission.SECRETS, environment, null, "deleteSecret");
    return guard.deletion(
        c,
        "deleteSecret",
        "secret " + name,
        environment,
        SECRETS,
        () -> secrets.deleteSecret(environment, name));
  }

  @Mutation("grantSecret")
  @Description("Sets which pipelines and worker groups may receive a secret")
  public Secret grantSecret(
      @NonNull String environment,
      @NonNull String name,
      List<String> pipelines,
      List<String> workerGroups) {
    check(environment, name);
    Inputs check = Inputs.check();
    List<String> p = pipelines == null ? List.of() : pipelines;
    List<String> w = workerGroups == null ? List.of() : workerGroups;
    for (int i = 0; i < p.size(); i++) {
      check.name("pipelines[" + i + "]", p.get(i));
    }
    for (int i = 0; i < w.size(); i++) {
      check.name("workerGroups[" + i + "]", w.get(i));
    }
    check.orFail();
    Caller c = guard.require(Permission.SECRETS, environment, null, "grantSecret");
    return guard.mutation(
        c,
        "grantSecret",
        "secret " + name,
        environment,
        "pipelines " + p + ", worker groups " + w,
        SECRETS,
        () -> secrets.grant(environment, name, new Requests.Grants(p, w)));
  }

  @Query("secretAudit")
  @Description("Who wrote and which attempts read a secret")
  public List<SecretAuditEntry> secretAudit(@NonNull String environment, @NonNull String name) {
    check(environment, name);
    guard.require(Permission.SECRETS, environment, null, "secretAudit");
    return Backends.call(SECRETS, () -> secrets.audit(environment, name));
  }

  private static void check(String environment, String name) {
    Inputs.check()
        .name("environment", environment)
        .matches(
            "name",
            name,
            Inputs.SECRET_NAME,
            "must be letters, digits and '_', not starting with a digit (at most 128)")
        .orFail();
  }
}
