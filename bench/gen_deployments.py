#!/usr/bin/env python3
"""Writes N Deployments (every odd one privileged) in a restricted namespace,
as one YAML stream, plus the values file `kyverno apply` needs for the
namespace's labels. Same shape as the Go benchmark's generator."""
import sys

n, out = int(sys.argv[1]), sys.argv[2]
labels = {f"pod-security.kubernetes.io/{m}": "restricted" for m in ("enforce", "audit", "warn")}
with open(f"{out}/deployments.yaml", "w") as f:
    f.write("apiVersion: v1\nkind: Namespace\nmetadata:\n  name: app\n  labels:\n")
    for k, v in labels.items():
        f.write(f"    {k}: {v}\n")
    for i in range(n):
        f.write(f"""---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: app-{i}
  namespace: app
spec:
  selector:
    matchLabels: {{app: app-{i}}}
  template:
    metadata:
      labels: {{app: app-{i}}}
    spec:
      automountServiceAccountToken: false
      securityContext: {{runAsNonRoot: true, seccompProfile: {{type: RuntimeDefault}}}}
      containers:
        - name: app
          image: europe-docker.pkg.dev/acme-platform-prod/prod-images/app:1.4.2
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 500m, memory: 256Mi}}
          securityContext:
            allowPrivilegeEscalation: false
            privileged: {"true" if i % 2 else "false"}
            capabilities: {{drop: [ALL]}}
""")
with open(f"{out}/values.yaml", "w") as f:
    f.write("apiVersion: cli.kyverno.io/v1alpha1\nkind: Value\nmetadata:\n  name: values\nnamespaceSelector:\n  - name: app\n    labels:\n")
    for k, v in labels.items():
        f.write(f"      {k}: {v}\n")
