{{/* Name of every object of the release. */}}
{{- define "app.name" -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* Labels every object carries. */}}
{{- define "app.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: platform
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
platform.acme.example/role: {{ .Values.role }}
{{- end -}}

{{/* Labels that select the app's pods. */}}
{{- define "app.selectorLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The image reference: by digest when given, else by tag; never latest. */}}
{{- define "app.image" -}}
{{- $repo := required "image.repository is required" .Values.image.repository -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- $tag := required "image.tag or image.digest is required" .Values.image.tag -}}
{{- if eq $tag "latest" -}}
{{- fail "image.tag must not be latest: pin a version or a digest" -}}
{{- end -}}
{{- printf "%s:%s" $repo $tag -}}
{{- end -}}
{{- end -}}

{{/* Labels of the canary's smoke-test pods: not the app's selector labels
(the Rollout, its PodDisruptionBudget and the app's NetworkPolicies must not
select them). */}}
{{- define "app.smokeTestLabels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}-smoke-test
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/part-of: platform
platform.acme.example/component: smoke-test
{{- end -}}
