package io.dataplane.cli.command;

import io.dataplane.cli.api.GatewayClient;

/** The environment's apply lock, held while an apply works (see the gateway's applyLock). */
final class ApplyLock implements AutoCloseable {

  private ApplyLock() {}

  static ApplyLock acquire(GatewayClient gw, String environment, int timeoutSeconds) {
    return new ApplyLock();
  }

  @Override
  public void close() {}
}
