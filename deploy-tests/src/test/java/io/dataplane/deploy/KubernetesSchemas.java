package io.dataplane.deploy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.Annotated;
import com.fasterxml.jackson.databind.introspect.AnnotatedMethod;
import com.fasterxml.jackson.databind.introspect.JacksonAnnotationIntrospector;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.Map;

/**
 * Validates rendered objects against the Kubernetes and Prometheus Operator object models
 * (fabric8), offline. The models keep unknown fields in an "additional properties" map; this mapper
 * switches that off, so that a misspelt or misplaced field ("portz", a probe under the pod) fails
 * like a wrong type does.
 */
final class KubernetesSchemas {

  private static final Map<String, Class<?>> TYPES =
      Map.ofEntries(
          Map.entry("v1/ConfigMap", ConfigMap.class),
          Map.entry("v1/Service", Service.class),
          Map.entry("v1/ServiceAccount", ServiceAccount.class),
          Map.entry("apps/v1/Deployment", Deployment.class),
          Map.entry("policy/v1/PodDisruptionBudget", PodDisruptionBudget.class),
          Map.entry("autoscaling/v2/HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
          Map.entry("networking.k8s.io/v1/NetworkPolicy", NetworkPolicy.class),
          Map.entry("networking.k8s.io/v1/Ingress", Ingress.class),
          Map.entry("monitoring.coreos.com/v1/ServiceMonitor", ServiceMonitor.class),
          Map.entry("monitoring.coreos.com/v1/PrometheusRule", PrometheusRule.class));

  private static final ObjectMapper STRICT =
      JsonMapper.builder()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
          .enable(DeserializationFeature.FAIL_ON_NUMBERS_FOR_ENUMS)
          .annotationIntrospector(new NoAnySetter())
          .build();

  private KubernetesSchemas() {}

  /** The model class of an object, or an error naming its apiVersion and kind. */
  static Class<?> typeOf(JsonNode object) {
    String key = object.path("apiVersion").asText() + "/" + object.path("kind").asText();
    Class<?> type = TYPES.get(key);
    if (type == null) {
      throw new IllegalArgumentException("no schema known for " + key);
    }
    return type;
  }

  /**
   * Reads the object into its model class with unknown fields rejected.
   *
   * @throws IllegalArgumentException naming the object and the offending field
   */
  static Object validate(JsonNode object) {
    Class<?> type = typeOf(object);
    try {
      return STRICT.treeToValue(object, type);
    } catch (Exception e) {
      throw new IllegalArgumentException(
          object.path("kind").asText()
              + " "
              + object.path("metadata").path("name").asText()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** Ignores {@code @JsonAnySetter}, so that unknown properties are errors again. */
  private static final class NoAnySetter extends JacksonAnnotationIntrospector {
    @Override
    public Boolean hasAnySetter(Annotated a) {
      return Boolean.FALSE;
    }

    @Override
    @SuppressWarnings("deprecation")
    public boolean hasAnySetterAnnotation(AnnotatedMethod am) {
      return false;
    }
  }
}
