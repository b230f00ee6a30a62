{{/*
The fixed facts of each service: its HTTP port, PostgreSQL schema (empty: no database) and whether
it talks to Redis or the OIDC provider. Ports and schemas match the services' application.properties.
*/}}
{{- define "dataplane.components" -}}
gateway: {service: gateway-service, port: 8080, schema: gateway, redis: true, oidc: true}
orchestrator: {service: orchestrator-service, port: 8081, schema: orchestrator}
scheduler: {service: scheduler-service, port: 8082, schema: scheduler}
secrets: {service: secrets-service, port: 8084, schema: secrets}
filestore: {service: filestore-service, port: 8085, schema: filestore}
worker: {service: worker-service, port: 8083, schema: ""}
{{- end -}}

{{- define "dataplane.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Prefix of every object name; short enough for "<prefix>-worker-<group>" to stay within 63. */}}
{{- define "dataplane.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 30 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 30 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 30 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "dataplane.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels of every object; call with the root context. */}}
{{- define "dataplane.labels" -}}
helm.sh/chart: {{ include "dataplane.chart" . }}
app.kubernetes.io/name: {{ include "dataplane.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: dataplane
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* Labels of one component's objects; call with (dict "root" $ "component" "gateway" "group" ""). */}}
{{- define "dataplane.componentLabels" -}}
{{ include "dataplane.labels" .root }}
app.kubernetes.io/component: {{ .component }}
{{- if .group }}
dataplane.io/worker-group: {{ .group }}
{{- end }}
{{- end -}}

{{/* Selector labels of one component; call with (dict "root" $ "component" "gateway" "group" ""). */}}
{{- define "dataplane.selectorLabels" -}}
app.kubernetes.io/name: {{ include "dataplane.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .component }}
{{- if .group }}
dataplane.io/worker-group: {{ .group }}
{{- end }}
{{- end -}}

{{/* Object name of one component: <fullname>-<component>[-<group>]. */}}
{{- define "dataplane.componentName" -}}
{{- if .group -}}
{{- printf "%s-%s-%s" (include "dataplane.fullname" .root) .component .group | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" (include "dataplane.fullname" .root) .component | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* Image reference; call with (dict "root" $ "service" "gateway-service" "image" <per-service image values>). */}}
{{- define "dataplane.image" -}}
{{- $img := .root.Values.image -}}
{{- $tag := default (default .root.Chart.AppVersion $img.tag) .image.tag -}}
{{- if .image.repository -}}
{{- printf "%s:%s" .image.repository $tag -}}
{{- else if $img.registry -}}
{{- printf "%s/%s/%s:%s" $img.registry $img.group .service $tag -}}
{{- else -}}
{{- printf "%s/%s:%s" $img.group .service $tag -}}
{{- end -}}
{{- end -}}

{{/* In-cluster base URL of a service; call with (dict "root" $ "component" "orchestrator"). */}}
{{- define "dataplane.url" -}}
{{- $c := index (fromYaml (include "dataplane.components" .root)) .component -}}
{{- printf "http://%s:%v" (include "dataplane.componentName" (dict "root" .root "component" .component)) $c.port -}}
{{- end -}}

{{/* JDBC URL of a schema. */}}
{{- define "dataplane.jdbcUrl" -}}
{{- $pg := .root.Values.postgresql -}}
{{- $url := printf "jdbc:postgresql://%s:%v/%s?currentSchema=%s" $pg.host $pg.port $pg.database .schema -}}
{{- if $pg.jdbcParams -}}
{{- printf "%s&%s" $url $pg.jdbcParams -}}
{{- else -}}
{{- $url -}}
{{- end -}}
{{- end -}}

{{/*
Every workload the release deploys, as YAML {items: [...]}: the five services that are enabled,
then one per worker group. A worker group's top-level keys replace those of workers.defaults
(a whole key at a time, so that `false` and `0` override too).
*/}}
{{- define "dataplane.workloads" -}}
{{- $root := . -}}
{{- $components := fromYaml (include "dataplane.components" .) -}}
items:
{{- range $c := list "gateway" "orchestrator" "scheduler" "secrets" "filestore" }}
{{- $v := index $root.Values $c }}
{{- if $v.enabled }}
{{- $facts := index $components $c }}
  - component: {{ $c }}
    group: ""
    name: {{ include "dataplane.componentName" (dict "root" $root "component" $c) }}
    service: {{ $facts.service }}
    port: {{ $facts.port }}
    schema: {{ $facts.schema | quote }}
    redis: {{ $facts.redis | default false }}
    oidc: {{ $facts.oidc | default false }}
    autoscalable: {{ eq $c "gateway" }}
    values: {{ toJson $v }}
{{- end }}
{{- end }}
{{- $facts := $components.worker }}
{{- $pairs := dict }}
{{- range $g := $root.Values.workers.groups }}
{{- $pair := printf "%s/%s" $g.environment $g.name }}
{{- if hasKey $pairs $pair }}
{{- fail (printf "workers.groups lists %s twice: one entry per environment and group" $pair) }}
{{- end }}
{{- $_ := set $pairs $pair true }}
{{- $v := deepCopy $root.Values.workers.defaults }}
{{- range $k, $val := $g }}
{{- $_ := set $v $k $val }}
{{- end }}
{{- $_ := set $v "image" $root.Values.workers.image }}
  - component: worker
    group: {{ printf "%s-%s" $g.environment $g.name }}
    workerGroups: {{ $pair }}
    name: {{ include "dataplane.componentName" (dict "root" $root "component" "worker" "group" (printf "%s-%s" $g.environment $g.name)) }}
    service: {{ $facts.service }}
    port: {{ $facts.port }}
    schema: ""
    redis: false
    oidc: false
    autoscalable: true
    values: {{ toJson $v }}
{{- end }}
{{- end -}}
