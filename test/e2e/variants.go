package e2e

import (
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// variant is one generated violation: a single change to the chart's
// Deployment (or a namespace), and the policy that must deny it.
type variant struct {
	name     string
	deniedBy string
	// mutate changes the pod spec (or, with namespace set, the namespace).
	mutate    func(pod map[string]any)
	namespace map[string]string
	// into, if set, is the namespace the Deployment goes to instead of the
	// chart's (the fail-closed scope of the pod policies).
	into string
}

// firstContainer is the pod spec's first container.
func firstContainer(pod map[string]any) map[string]any {
	return pod["containers"].([]any)[0].(map[string]any)
}

func containerSecurity(pod map[string]any) map[string]any {
	c := firstContainer(pod)
	sc, _ := c["securityContext"].(map[string]any)
	if sc == nil {
		sc = map[string]any{}
		c["securityContext"] = sc
	}
	return sc
}

func podSecurity(pod map[string]any) map[string]any {
	sc, _ := pod["securityContext"].(map[string]any)
	if sc == nil {
		sc = map[string]any{}
		pod["securityContext"] = sc
	}
	return sc
}

func addVolume(pod map[string]any, volume map[string]any) {
	vols, _ := pod["volumes"].([]any)
	pod["volumes"] = append(vols, volume)
	c := firstContainer(pod)
	mounts, _ := c["volumeMounts"].([]any)
	c["volumeMounts"] = append(mounts, map[string]any{"name": volume["name"], "mountPath": "/data"})
}

const (
	registries   = "trusted-registries"
	restricted   = "restricted-pod-security"
	volumes      = "restrict-volumes"
	limits       = "require-requests-limits"
	token        = "disallow-service-account-token"
	namespacePSS = "namespace-pod-security"
	defaultNS    = "disallow-default-namespace"

	// unlabelledNamespace enforces no Pod Security level: Pod Security
	// Admission admits anything there, the pod policies do not.
	unlabelledNamespace = "v-scope-unlabelled"
)

// privilegedNginx is the example: a privileged Docker Hub image by
// its latest tag.
func privilegedNginx(p map[string]any) {
	firstContainer(p)["image"] = "docker.io/library/nginx:latest"
	containerSecurity(p)["privileged"] = true
	containerSecurity(p)["allowPrivilegeEscalation"] = true
}

// variants cover each policy's rules and each Pod Security control that
// the restricted profile (or baseline, which it includes) checks.
var variants = []variant{
	{name: "untrusted-registry", deniedBy: registries, mutate: func(p map[string]any) {
		firstContainer(p)["image"] = "docker.io/library/nginx:1.27"
	}},
	{name: "latest-tag", deniedBy: registries, mutate: func(p map[string]any) {
		firstContainer(p)["image"] = "europe-docker.pkg.dev/acme-platform-prod/prod-images/app:latest"
	}},
	{name: "run-as-root", deniedBy: restricted, mutate: func(p map[string]any) {
		podSecurity(p)["runAsNonRoot"] = false
		containerSecurity(p)["runAsNonRoot"] = false
	}},
	// Pod Security Admission judges the pod level on its own: a pod-level
	// false fails even when every container says true.
	{name: "pod-level-run-as-root", deniedBy: restricted, mutate: func(p map[string]any) {
		podSecurity(p)["runAsNonRoot"] = false
		containerSecurity(p)["runAsNonRoot"] = true
	}},
	{name: "pod-level-uid-zero", deniedBy: restricted, mutate: func(p map[string]any) {
		podSecurity(p)["runAsUser"] = int64(0)
		containerSecurity(p)["runAsUser"] = int64(1000)
	}},
	{name: "pod-level-seccomp-unconfined", deniedBy: restricted, mutate: func(p map[string]any) {
		podSecurity(p)["seccompProfile"] = map[string]any{"type": "Unconfined"}
		containerSecurity(p)["seccompProfile"] = map[string]any{"type": "RuntimeDefault"}
	}},
	{name: "uid-zero", deniedBy: restricted, mutate: func(p map[string]any) {
		containerSecurity(p)["runAsUser"] = int64(0)
	}},
	{name: "privileged", deniedBy: restricted, mutate: func(p map[string]any) {
		// The API server rejects privileged without privilege escalation.
		containerSecurity(p)["privileged"] = true
		containerSecurity(p)["allowPrivilegeEscalation"] = true
	}},
	{name: "host-probe", deniedBy: restricted, mutate: func(p map[string]any) {
		probe := firstContainer(p)["livenessProbe"].(map[string]any)
		probe["httpGet"].(map[string]any)["host"] = "169.254.169.254"
	}},
	{name: "capability-sys-admin", deniedBy: restricted, mutate: func(p map[string]any) {
		containerSecurity(p)["capabilities"] = map[string]any{"drop": []any{"ALL"}, "add": []any{"SYS_ADMIN"}}
	}},
	{name: "privilege-escalation", deniedBy: restricted, mutate: func(p map[string]any) {
		containerSecurity(p)["allowPrivilegeEscalation"] = true
	}},
	{name: "capability-added", deniedBy: restricted, mutate: func(p map[string]any) {
		containerSecurity(p)["capabilities"] = map[string]any{"drop": []any{"ALL"}, "add": []any{"NET_ADMIN"}}
	}},
	{name: "capabilities-kept", deniedBy: restricted, mutate: func(p map[string]any) {
		delete(containerSecurity(p), "capabilities")
	}},
	{name: "seccomp-unconfined", deniedBy: restricted, mutate: func(p map[string]any) {
		podSecurity(p)["seccompProfile"] = map[string]any{"type": "Unconfined"}
		containerSecurity(p)["seccompProfile"] = map[string]any{"type": "Unconfined"}
	}},
	{name: "host-network", deniedBy: restricted, mutate: func(p map[string]any) {
		p["hostNetwork"] = true
	}},
	{name: "host-pid", deniedBy: restricted, mutate: func(p map[string]any) {
		p["hostPID"] = true
	}},
	{name: "host-port", deniedBy: restricted, mutate: func(p map[string]any) {
		firstContainer(p)["ports"] = []any{map[string]any{"containerPort": int64(8080), "hostPort": int64(8080), "name": "http"}}
	}},
	{name: "host-path", deniedBy: restricted, mutate: func(p map[string]any) {
		addVolume(p, map[string]any{"name": "host", "hostPath": map[string]any{"path": "/var/run"}})
	}},
	{name: "unsafe-sysctl", deniedBy: restricted, mutate: func(p map[string]any) {
		podSecurity(p)["sysctls"] = []any{map[string]any{"name": "kernel.msgmax", "value": "65536"}}
	}},
	{name: "selinux-type", deniedBy: restricted, mutate: func(p map[string]any) {
		containerSecurity(p)["seLinuxOptions"] = map[string]any{"type": "spc_t"}
	}},
	{name: "apparmor-unconfined", deniedBy: restricted, mutate: func(p map[string]any) {
		containerSecurity(p)["appArmorProfile"] = map[string]any{"type": "Unconfined"}
	}},
	{name: "empty-dir", deniedBy: volumes, mutate: func(p map[string]any) {
		addVolume(p, map[string]any{"name": "scratch", "emptyDir": map[string]any{}})
	}},
	{name: "no-limits", deniedBy: limits, mutate: func(p map[string]any) {
		delete(firstContainer(p)["resources"].(map[string]any), "limits")
	}},
	{name: "token-mounted", deniedBy: token, mutate: func(p map[string]any) {
		p["automountServiceAccountToken"] = true
	}},
	// Fail-closed scope: every namespace but the reviewed system ones.
	{name: "in-default", deniedBy: defaultNS, into: "default", mutate: func(map[string]any) {}},
	{name: "privileged-nginx-in-default", deniedBy: restricted, into: "default", mutate: privilegedNginx},
	{name: "privileged-nginx-unlabelled-namespace", deniedBy: restricted, into: unlabelledNamespace, mutate: privilegedNginx},
	// Admitted on both sides: Kyverno never sees kube-system, and Pod
	// Security Admission enforces nothing there.
	{name: "privileged-nginx-in-kube-system", into: "kube-system", mutate: privilegedNginx},
	{name: "namespace-unlabelled", deniedBy: namespacePSS, namespace: map[string]string{}},
	{name: "namespace-baseline", deniedBy: namespacePSS, namespace: map[string]string{
		"pod-security.kubernetes.io/enforce": "baseline",
		"pod-security.kubernetes.io/audit":   "restricted",
		"pod-security.kubernetes.io/warn":    "restricted",
	}},
}

// VariantNamespaces are the namespaces the variants land in besides the
// chart's: the cluster creates them before its policies, which would deny
// a namespace that enforces no Pod Security level.
func VariantNamespaces() []*unstructured.Unstructured {
	ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace"}}
	ns.SetName(unlabelledNamespace)
	return []*unstructured.Unstructured{ns}
}

// VariantSubjects generates, from the chart's Deployment, one violating
// Deployment (and the pod it would create) per variant.
func VariantSubjects(chart []Subject) ([]Subject, error) {
	var deployment *unstructured.Unstructured
	for _, s := range chart {
		if s.Group == "chart/primary" && s.Object.GetKind() == "Deployment" {
			deployment = s.Object
			break
		}
	}
	if deployment == nil {
		return nil, fmt.Errorf("the chart renders no Deployment")
	}
	var out []Subject
	for _, v := range variants {
		if v.namespace != nil {
			ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace"}}
			ns.SetName("v-" + v.name)
			ns.SetLabels(v.namespace)
			out = append(out, Subject{Group: "variants", Object: ns, ExpectDeniedBy: v.deniedBy})
			continue
		}
		d := deployment.DeepCopy()
		d.SetName("v-" + v.name)
		if v.into != "" {
			d.SetNamespace(v.into)
		}
		pod, _, _ := unstructured.NestedMap(d.Object, "spec", "template", "spec")
		v.mutate(pod)
		if err := unstructured.SetNestedMap(d.Object, pod, "spec", "template", "spec"); err != nil {
			return nil, err
		}
		out = append(out, Subject{Group: "variants", Object: d, ExpectDeniedBy: v.deniedBy})
		out = append(out, Subject{Group: "variants", Object: PodOf(d), ExpectDeniedBy: v.deniedBy})
	}
	smoke, err := privilegedSmokeTest(chart)
	if err != nil {
		return nil, err
	}
	return append(out, smoke...), nil
}

// privilegedSmokeTest is the chart's smoke-test AnalysisTemplate with a
// privileged container: the cluster admits the template (no policy judges
// it) and denies the Job Argo Rollouts would make of it, and its pod; guard,
// which derives that Job from the template, must say the same of each.
func privilegedSmokeTest(chart []Subject) ([]Subject, error) {
	for _, s := range chart {
		if s.Group != "chart/primary" || s.Object.GetKind() != "AnalysisTemplate" {
			continue
		}
		at := s.Object.DeepCopy()
		at.SetName("v-privileged-smoke")
		metrics, _, _ := unstructured.NestedSlice(at.Object, "spec", "metrics")
		pod, _, _ := unstructured.NestedMap(metrics[0].(map[string]any), "provider", "job", "spec", "template", "spec")
		sc := containerSecurity(pod)
		sc["privileged"], sc["allowPrivilegeEscalation"] = true, true // the API server refuses one without the other
		if err := unstructured.SetNestedMap(metrics[0].(map[string]any), pod, "provider", "job", "spec", "template", "spec"); err != nil {
			return nil, err
		}
		if err := unstructured.SetNestedSlice(at.Object, metrics, "spec", "metrics"); err != nil {
			return nil, err
		}
		job := smokeTestJob(at)
		return []Subject{
			{Group: "variants", Object: at},
			{Group: "variants", Object: job, ExpectDeniedBy: restricted},
			{Group: "variants", Object: PodOf(job), ExpectDeniedBy: restricted},
		}, nil
	}
	return nil, fmt.Errorf("the chart renders no AnalysisTemplate with Rollouts")
}
