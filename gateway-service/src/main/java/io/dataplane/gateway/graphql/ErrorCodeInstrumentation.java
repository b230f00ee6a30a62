package io.dataplane.gateway.graphql;

import graphql.ErrorClassification;
import graphql.ErrorType;
import graphql.ExceptionWhileDataFetching;
import graphql.ExecutionResult;
import graphql.GraphQL;
import graphql.GraphQLError;
import graphql.execution.instrumentation.ChainedInstrumentation;
import graphql.execution.instrumentation.Instrumentation;
import graphql.execution.instrumentation.InstrumentationState;
import graphql.execution.instrumentation.SimplePerformantInstrumentation;
import graphql.execution.instrumentation.parameters.InstrumentationExecutionParameters;
import graphql.validation.ValidationError;
import graphql.validation.ValidationErrorClassification;
import io.dataplane.common.error.ErrorCodes;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Gives every GraphQL error a {@code code}: errors raised by the resolvers carry theirs already;
 * syntax errors, invalid arguments or variables (wrong type, missing, unknown enum value) get
 * {@code INVALID_INPUT}, and queries refused for their depth or complexity get {@code TOO_LARGE}.
 */
@ApplicationScoped
public class ErrorCodeInstrumentation extends SimplePerformantInstrumentation {

  /** Classifications of the errors this gateway adds a code to. */
  enum Kind implements ValidationErrorClassification {
    INVALID_INPUT,
    TOO_LARGE
  }

  /** Chains this instrumentation after SmallRye's own (depth, complexity, query cache). */
  GraphQL.Builder install(@Observes GraphQL.Builder builder) {
    Instrumentation existing = builder.build().getInstrumentation();
    builder.instrumentation(new ChainedInstrumentation(List.of(existing, this)));
    return builder;
  }

  @Override
  public CompletableFuture<ExecutionResult> instrumentExecutionResult(
      ExecutionResult result,
      InstrumentationExecutionParameters parameters,
      InstrumentationState state) {
    if (result.getErrors() == null || result.getErrors().isEmpty()) {
      return CompletableFuture.completedFuture(result);
    }
    List<GraphQLError> mapped = new ArrayList<>();
    boolean changed = false;
    for (GraphQLError e : result.getErrors()) {
      GraphQLError m = withCode(e);
      changed |= m != e;
      mapped.add(m);
    }
    if (!changed) {
      return CompletableFuture.completedFuture(result);
    }
    return CompletableFuture.completedFuture(result.transform(b -> b.errors(mapped)));
  }

  static GraphQLError withCode(GraphQLError e) {
    if (e instanceof ExceptionWhileDataFetching
        || (e.getExtensions() != null && e.getExtensions().containsKey("code"))) {
      return e;
    }
    ErrorClassification type = e.getErrorType();
    Kind kind;
    if (type == ErrorType.ExecutionAborted) {
      kind = Kind.TOO_LARGE;
    } else if (type == ErrorType.InvalidSyntax || type == ErrorType.ValidationError) {
      kind = Kind.INVALID_INPUT;
    } else {
      return e;
    }
    String code = kind == Kind.TOO_LARGE ? ErrorCodes.TOO_LARGE : ErrorCodes.INVALID_INPUT;
    String message = e.getMessage();
    if (e instanceof ValidationError v && v.getDescription() != null) {
      message = v.getDescription();
    }
    List<String> path = new ArrayList<>();
    if (e.getPath() != null) {
      e.getPath().forEach(p -> path.add(String.valueOf(p)));
    } else if (e instanceof ValidationError v && v.getQueryPath() != null) {
      path.addAll(v.getQueryPath());
    }
    return ValidationError.newValidationError()
        .validationErrorType(kind)
        .description(message)
        .sourceLocations(e.getLocations())
        .queryPath(path.isEmpty() ? null : path)
        .extensions(Map.of("code", code))
        .build();
  }
}
