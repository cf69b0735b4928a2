package acceptance

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

const rolloutsEverywhere = "rollout_enabled={primary=true,secondary=true}"

// TestRolloutRelease: released with Argo Rollouts in both regions, the
// platform passes; each region runs a Rollout (no Deployment) that its
// HPA scales, and a smoke-test AnalysisTemplate.
func TestRolloutRelease(t *testing.T) {
	if r := guard(t, "check", "--var", rolloutsEverywhere); r.code != 0 {
		t.Fatalf("the platform with Rollouts: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	objs := inspectObjects(t, "inspect", "--var", rolloutsEverywhere, "stacks/app")
	kinds := map[string]int{}
	for _, o := range objs {
		kinds[o["kind"].(string)]++
		if o["kind"] == "HorizontalPodAutoscaler" {
			ref := o["spec"].(map[string]any)["scaleTargetRef"].(map[string]any)
			if ref["kind"] != "Rollout" || ref["apiVersion"] != "argoproj.io/v1alpha1" {
				t.Errorf("the HPA scales %v", ref)
			}
		}
	}
	if kinds["Rollout"] != 2 || kinds["AnalysisTemplate"] != 2 || kinds["Deployment"] != 0 || kinds["PodDisruptionBudget"] != 2 {
		t.Errorf("kinds rendered: %v", kinds)
	}
}

// TestRolloutChart: the chart checked on its own, as helm template renders
// it for a region (--namespace, --values, --set rollout.enabled=true),
// passes; a privileged container in the shared pod template fails K8S-001
// on the Rollout as it does on the Deployment.
func TestRolloutChart(t *testing.T) {
	args := []string{"check", "--format", "json", "--namespace", "platform-app", "--values", "charts/app/values-primary.yaml", "charts/app"}
	for _, extra := range [][]string{nil, {"--set", "rollout.enabled=true"}} {
		if r := guard(t, append(args, extra...)...); r.code != 0 {
			t.Errorf("the chart %v: exit %d\n%s%s", extra, r.code, r.stdout, r.stderr)
		}
	}
	dir := projectCopy(t)
	tmpl := filepath.Join(dir, "charts/app/templates/deployment.yaml")
	writeFile(t, tmpl, strings.Replace(mustRead(t, tmpl), "privileged: false", "privileged: true", 1))
	writeFile(t, filepath.Join(dir, "charts/app/values-primary.yaml"), mustRead(t, filepath.Join(root, "charts/app/values-primary.yaml")))
	for kind, extra := range map[string][]string{"Deployment": nil, "Rollout": {"--set", "rollout.enabled=true"}} {
		r := runIn(t, dir, append(append(args, "--policy", filepath.Join(root, "policies")), extra...)...)
		var rep jsonReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 1 {
			t.Fatalf("%s: exit %d %v\n%s", kind, r.code, err, r.stderr)
		}
		var got []string
		for _, f := range rep.Findings {
			got = append(got, f.Policy+" "+f.Resource)
		}
		if want := []string{"K8S-001 charts/app:" + kind + "/platform-app/app"}; strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("privileged %s: findings %v, want %v", kind, got, want)
		}
	}
}

// TestRolloutSmokeTestJob: the Job the AnalysisTemplate makes is admitted
// like any Job (Kyverno and Pod Security Admission judge it and its pods
// in the cluster), so its template must pass the pod policies; the same
// Job made privileged must not.
func TestRolloutSmokeTestJob(t *testing.T) {
	var job, ns map[string]any
	for _, o := range inspectObjects(t, "inspect", "--var", rolloutsEverywhere, "stacks/app") {
		switch o["kind"] {
		case "AnalysisTemplate":
			metrics := o["spec"].(map[string]any)["metrics"].([]any)
			provider := metrics[0].(map[string]any)["provider"].(map[string]any)
			meta := o["metadata"].(map[string]any)
			job = map[string]any{
				"apiVersion": "batch/v1", "kind": "Job",
				"metadata": map[string]any{"name": "smoke", "namespace": meta["namespace"]},
				"spec":     provider["job"].(map[string]any)["spec"],
			}
		case "Namespace":
			ns = o
		}
	}
	if job == nil || ns == nil {
		t.Fatal("no AnalysisTemplate or Namespace rendered")
	}
	write := func(name string, docs ...map[string]any) string {
		var parts []string
		for _, d := range docs {
			b, err := yaml.Marshal(d)
			if err != nil {
				t.Fatal(err)
			}
			parts = append(parts, string(b))
		}
		path := filepath.Join(t.TempDir(), name)
		writeFile(t, path, strings.Join(parts, "---\n"))
		return path
	}
	// STK-004 (the namespace's default-deny NetworkPolicy) is the
	// chart's, not the Job's: the pod policies are what is asked here.
	if r := guard(t, "check", "--skip-policy", "STK-004", write("smoke.yaml", ns, job)); r.code != 0 {
		t.Errorf("the smoke-test Job: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	containers := job["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)
	containers[0].(map[string]any)["securityContext"].(map[string]any)["privileged"] = true
	if r := guard(t, "check", "--skip-policy", "STK-004", write("privileged.yaml", ns, job)); r.code != 1 || !strings.Contains(r.stdout, "K8S-001") {
		t.Errorf("a privileged smoke-test Job: exit %d\n%s", r.code, r.stdout)
	}
}

// TestRolloutSmokeTestInTheChart: guard checks the Job an AnalysisTemplate's
// job metric makes from the chart itself (guard inspect shows it, derived
// from the template): a privileged smoke-test container in the template
// fails K8S-001 there, at the template's line, before any rollout.
func TestRolloutSmokeTestInTheChart(t *testing.T) {
	args := []string{"check", "--format", "json", "--namespace", "platform-app", "--values", "charts/app/values-primary.yaml",
		"--set", "rollout.enabled=true", "--policy", filepath.Join(root, "policies"), "charts/app"}
	dir := projectCopy(t)
	tmpl := filepath.Join(dir, "charts/app/templates/analysistemplate.yaml")
	writeFile(t, tmpl, strings.Replace(mustRead(t, tmpl), "privileged: false", "privileged: true", 1))
	writeFile(t, filepath.Join(dir, "charts/app/values-primary.yaml"), mustRead(t, filepath.Join(root, "charts/app/values-primary.yaml")))
	r := runIn(t, dir, args...)
	var rep jsonReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil || r.code != 1 {
		t.Fatalf("exit %d %v\n%s", r.code, err, r.stderr)
	}
	var got []string
	for _, f := range rep.Findings {
		if strings.HasPrefix(f.Policy, "K8S-") {
			got = append(got, fmt.Sprintf("%s %s %s:%d", f.Policy, f.Resource, f.File, f.Line))
		}
	}
	want := "K8S-001 charts/app:Job/platform-app/app-smoke-smoke charts/app/templates/analysistemplate.yaml:7"
	if strings.Join(got, ",") != want {
		t.Errorf("findings %v, want %s", got, want)
	}
}

// inspectObjects are the Kubernetes objects guard inspect prints.
func inspectObjects(t *testing.T, args ...string) []map[string]any {
	t.Helper()
	r := guard(t, args...)
	var in struct {
		Kubernetes struct {
			Objects []struct{ Object map[string]any }
		}
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &in) != nil {
		t.Fatalf("guard %v: exit %d\n%s", args, r.code, r.stderr)
	}
	var objs []map[string]any
	for _, o := range in.Kubernetes.Objects {
		objs = append(objs, o.Object)
	}
	return objs
}
