package io.dataplane.gateway.client;

import io.dataplane.common.rest.ServiceAuth;
import io.dataplane.gateway.config.GatewayConfig;
import io.dataplane.gateway.security.Caller;
import io.dataplane.gateway.security.CurrentCaller;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import org.eclipse.microprofile.rest.client.ext.ClientHeadersFactory;

/**
 * Adds the service token and the actor (the signed-in user a call is made for) to every call the
 * gateway makes to a service. Incoming headers are never forwarded.
 */
@ApplicationScoped
public class ServiceHeaders implements ClientHeadersFactory {

  private final GatewayConfig config;
  private final CurrentCaller currentCaller;

  public ServiceHeaders(GatewayConfig config, CurrentCaller currentCaller) {
    this.config = config;
    this.currentCaller = currentCaller;
  }

  @Override
  public MultivaluedMap<String, String> update(
      MultivaluedMap<String, String> incomingHeaders,
      MultivaluedMap<String, String> clientOutgoingHeaders) {
    MultivaluedMap<String, String> out = new MultivaluedHashMap<>();
    // the first of the list is the current token; the others are only accepted while rotating
    out.putSingle("Authorization", "Bearer " + config.serviceToken().split(",", 2)[0].strip());
    if (!clientOutgoingHeaders.containsKey(ServiceAuth.ACTOR_HEADER)) {
      Caller caller = currentCaller.get();
      if (caller.authenticated()) {
        out.putSingle(ServiceAuth.ACTOR_HEADER, caller.actor());
      }
    }
    return out;
  }
}
