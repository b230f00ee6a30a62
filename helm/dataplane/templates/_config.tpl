{{/* Configuration shared by every service (the data of the <fullname>-common ConfigMap). */}}
{{- define "dataplane.commonConfigData" -}}
KAFKA_BOOTSTRAP_SERVERS: {{ .Values.kafka.bootstrapServers | quote }}
KAFKA_SECURITY_PROTOCOL: {{ .Values.kafka.securityProtocol | default "PLAINTEXT" | quote }}
{{- with .Values.kafka.saslMechanism }}
KAFKA_SASL_MECHANISM: {{ . | quote }}
{{- end }}
QUARKUS_LOG_CONSOLE_JSON_ENABLED: {{ .Values.logging.json | quote }}
QUARKUS_LOG_LEVEL: {{ .Values.logging.level | quote }}
QUARKUS_OTEL_TRACES_EXPORTER: {{ ternary "cdi" "none" .Values.otel.enabled | quote }}
{{- if .Values.otel.enabled }}
QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT: {{ .Values.otel.endpoint | quote }}
QUARKUS_OTEL_TRACES_SAMPLER: "parentbased_traceidratio"
QUARKUS_OTEL_TRACES_SAMPLER_ARG: {{ .Values.otel.samplerRatio | toString | quote }}
{{- end }}
DATAPLANE_ORCHESTRATOR_URL: {{ include "dataplane.url" (dict "root" . "component" "orchestrator") | quote }}
DATAPLANE_SCHEDULER_URL: {{ include "dataplane.url" (dict "root" . "component" "scheduler") | quote }}
DATAPLANE_SECRETS_URL: {{ include "dataplane.url" (dict "root" . "component" "secrets") | quote }}
DATAPLANE_FILESTORE_URL: {{ include "dataplane.url" (dict "root" . "component" "filestore") | quote }}
{{- end -}}

{{/* Plain configuration of one workload; call with (dict "root" $ "w" <workload>). */}}
{{- define "dataplane.configData" -}}
{{- $root := .root -}}
{{- $w := .w -}}
{{- $v := $w.values -}}
JDK_JAVA_OPTIONS: {{ $v.javaOpts | quote }}
{{- if $w.schema }}
QUARKUS_DATASOURCE_JDBC_URL: {{ include "dataplane.jdbcUrl" (dict "root" $root "schema" $w.schema) | quote }}
QUARKUS_DATASOURCE_USERNAME: {{ $root.Values.postgresql.username | quote }}
{{- end }}
{{- if and $w.redis (not $root.Values.redis.existingSecret) }}
QUARKUS_REDIS_HOSTS: {{ $root.Values.redis.hosts | quote }}
{{- end }}
{{- if $w.oidc }}
QUARKUS_OIDC_AUTH_SERVER_URL: {{ $root.Values.oidc.authServerUrl | quote }}
QUARKUS_OIDC_CLIENT_ID: {{ $root.Values.oidc.clientId | quote }}
{{- with $root.Values.oidc.audience }}
QUARKUS_OIDC_TOKEN_AUDIENCE: {{ . | quote }}
{{- end }}
{{- with $v.admins }}
DATAPLANE_ADMINS: {{ join "," . | quote }}
{{- end }}
{{- end }}
{{- if eq $w.component "scheduler" }}
DATAPLANE_SCHEDULER_ORCHESTRATOR_URL: {{ include "dataplane.url" (dict "root" $root "component" "orchestrator") | quote }}
DATAPLANE_SCHEDULER_SECRETS_URL: {{ include "dataplane.url" (dict "root" $root "component" "secrets") | quote }}
{{- $n := $v.notifications | default dict }}
{{- $console := $n.consoleUrl | default "" }}
{{- if and (not $console) $root.Values.gateway.ingress.enabled }}
{{- $console = printf "https://%s" $root.Values.gateway.ingress.host }}
{{- end }}
{{- with $console }}
DATAPLANE_SCHEDULER_NOTIFICATIONS_CONSOLE_URL: {{ . | quote }}
{{- end }}
{{- with $n.allowedHosts }}
DATAPLANE_SCHEDULER_NOTIFICATIONS_ALLOWED_HOSTS: {{ join "," . | quote }}
{{- end }}
{{- end }}
{{- if eq $w.component "secrets" }}
{{- with $root.Values.keys.activeMasterKey }}
DATAPLANE_SECRETS_ACTIVE_MASTER_KEY: {{ . | quote }}
{{- end }}
{{- if $root.Values.keys.masterKeysAsFiles }}
DATAPLANE_SECRETS_MASTER_KEY_DIR: "/etc/dataplane/master-keys"
{{- end }}
{{- end }}
{{- if eq $w.component "worker" }}
DATAPLANE_WORKER_GROUPS: {{ $w.workerGroups | quote }}
DATAPLANE_WORKER_SANDBOX: {{ $root.Values.workers.sandbox | quote }}
{{- if and (eq $root.Values.workers.sandbox "none") (not $root.Values.workers.allowUnsandboxed) }}
{{- fail "workers.sandbox=none runs tasks without a sandbox: set workers.allowUnsandboxed=true to choose this (docs/deploy.md \"Worker sandbox\")" }}
{{- end }}
DATAPLANE_WORKER_ALLOW_UNSANDBOXED: {{ $root.Values.workers.allowUnsandboxed | toString | quote }}
DATAPLANE_WORKER_WORK_DIR: {{ printf "%s/work" (trimSuffix "/" $v.scratch.mountPath) | quote }}
DATAPLANE_WORKER_CACHE_DIR: {{ printf "%s/bundles" (trimSuffix "/" $v.scratch.mountPath) | quote }}
DATAPLANE_WORKER_CACHE_MAX_BYTES: {{ int64 $v.bundleCacheMaxBytes | quote }}
{{- /* running attempts get the pod's grace period less a margin to report the rest as interrupted */}}
DATAPLANE_WORKER_SHUTDOWN_GRACE: {{ printf "%ds" (max 0 (sub (int $v.terminationGracePeriodSeconds) 15)) | quote }}
DATAPLANE_WORKER_ORCHESTRATOR_URL: {{ include "dataplane.url" (dict "root" $root "component" "orchestrator") | quote }}
DATAPLANE_WORKER_SECRETS_URL: {{ include "dataplane.url" (dict "root" $root "component" "secrets") | quote }}
DATAPLANE_WORKER_FILESTORE_URL: {{ include "dataplane.url" (dict "root" $root "component" "filestore") | quote }}
{{- if gt (int $v.slots) 0 }}
DATAPLANE_WORKER_SLOTS: {{ int $v.slots | quote }}
{{- end }}
{{- end }}
{{- range $k, $val := $v.config }}
{{ $k }}: {{ $val | toString | quote }}
{{- end }}
{{- end -}}
