package io.dataplane.common.triggers;

import java.util.Map;

/**
 * An event trigger as its author writes it: through the API ({@code createTrigger}) or declared in
 * a pipeline definition ({@code triggers:}, docs/triggers.md). The same rules check both ({@link
 * TriggerRules}).
 *
 * @param name unique in the environment (API) or in the definition (declared)
 * @param pipeline the pipeline a fire runs; null in a definition (the pipeline itself)
 * @param kind COMPLETION, WEBHOOK or KAFKA (any case)
 * @param upstreamPipeline COMPLETION: the watched pipeline of the same environment
 * @param onState COMPLETION: SUCCEEDED (default), FAILED or ANY
 * @param topic KAFKA: the external topic; in a definition without the {@code <environment>.}
 *     prefix, which the scheduler adds, so one definition reads its own environment's topic
 *     wherever it is released
 * @param filterField KAFKA: a top-level JSON field (dots for nesting) that must equal filterValue
 * @param auth WEBHOOK: TOKEN (API default) or HMAC (the only choice in a definition)
 * @param secretName WEBHOOK HMAC: the environment secret holding the signing key
 * @param params run params; string values are Mustache templates of the event
 * @param enabled false: created paused (default true)
 */
public record TriggerSpec(
    String name,
    String pipeline,
    String kind,
    String description,
    String upstreamPipeline,
    String onState,
    String topic,
    String filterField,
    String filterValue,
    String auth,
    String secretName,
    Map<String, Object> params,
    Boolean enabled) {}
