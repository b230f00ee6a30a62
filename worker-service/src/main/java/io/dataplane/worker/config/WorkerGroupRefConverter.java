package io.dataplane.worker.config;

import io.dataplane.common.events.WorkerGroupRef;
import org.eclipse.microprofile.config.spi.Converter;

/**
 * Reads one {@code environment/group} entry of {@code dataplane.worker.groups}; a bad entry fails
 * the start with {@link WorkerGroupRef#parse}'s message (what is wrong, the form it wants).
 */
public class WorkerGroupRefConverter implements Converter<WorkerGroupRef> {

  @Override
  public WorkerGroupRef convert(String value) {
    return WorkerGroupRef.parse(value);
  }
}
