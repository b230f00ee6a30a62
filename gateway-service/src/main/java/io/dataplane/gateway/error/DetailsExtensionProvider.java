package io.dataplane.gateway.error;

import io.dataplane.common.error.DataplaneException;
import io.dataplane.common.error.ErrorResponse;
import io.smallrye.graphql.api.ErrorExtensionProvider;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonValue;

/** Puts the field paths of an input error into {@code extensions.details} of a GraphQL error. */
public class DetailsExtensionProvider implements ErrorExtensionProvider {

  @Override
  public String getKey() {
    return "details";
  }

  @Override
  public JsonValue mapValueFrom(Throwable exception) {
    if (!(exception instanceof DataplaneException e) || e.details().isEmpty()) {
      return null;
    }
    JsonArrayBuilder array = Json.createArrayBuilder();
    for (ErrorResponse.Detail d : e.details()) {
      array.add(
          Json.createObjectBuilder()
              .add("path", d.path() == null ? "" : d.path())
              .add("code", d.code() == null ? "" : d.code())
              .add("message", d.message() == null ? "" : d.message()));
    }
    return array.build();
  }
}
