package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/acme/guard/test/e2e/cluster"
)

// ChartSubjects are the app chart's objects as the app stack deploys them
// in each region (rendered by guard from the helm_releases), with the pod
// each workload's controller would create: Pod Security Admission judges
// pods, and only warns about workloads. Then what the release adds with
// Argo Rollouts (stacks/app rollout_enabled): the Rollout, its pod, the
// smoke test's AnalysisTemplate, the Job guard derives from it and its pod,
// and NetworkPolicies.
func ChartSubjects(guard, root string) (subjects []Subject, namespaces []*unstructured.Unstructured, err error) {
	in, err := cluster.Inspect(guard, root, "stacks/app")
	if err != nil {
		return nil, nil, err
	}
	withRollouts, err := cluster.Inspect(guard, root, "--var", "rollout_enabled={primary=true,secondary=true}", "stacks/app")
	if err != nil {
		return nil, nil, err
	}
	seen := map[string]bool{}
	for _, o := range slices.Concat(in.Kubernetes.Objects, withRollouts.Kubernetes.Objects) {
		if o.Release == nil || o.Release.Region == "" || seen[o.ID] {
			continue
		}
		seen[o.ID] = true
		obj := &unstructured.Unstructured{Object: o.Object}
		if obj.GetNamespace() == "" && !clusterScoped(obj.GetKind()) {
			obj.SetNamespace(o.Release.Namespace)
		}
		group := "chart/" + o.Release.Region
		subjects = append(subjects, Subject{Group: group, Object: obj})
		if obj.GetKind() == "Namespace" && o.Release.Region == "primary" {
			namespaces = append(namespaces, obj)
		}
		// The smoke test's Job is among the objects: guard derives it from
		// the AnalysisTemplate as Argo Rollouts creates it (derived_from).
		if pod := PodOf(obj); pod != nil {
			subjects = append(subjects, Subject{Group: group, Object: pod})
		}
	}
	if len(subjects) == 0 {
		return nil, nil, fmt.Errorf("stacks/app renders no objects")
	}
	return subjects, namespaces, nil
}

// smokeTestJob is the Job Argo Rollouts creates from an AnalysisTemplate's
// first job metric, named template-metric as guard names the Job it derives:
// admission judges it, and its pod, like any other; nil for anything else.
func smokeTestJob(o *unstructured.Unstructured) *unstructured.Unstructured {
	if o.GetKind() != "AnalysisTemplate" {
		return nil
	}
	metrics, _, _ := unstructured.NestedSlice(o.Object, "spec", "metrics")
	for _, m := range metrics {
		spec, found, _ := unstructured.NestedMap(m.(map[string]any), "provider", "job", "spec")
		name, _, _ := unstructured.NestedString(m.(map[string]any), "name")
		if !found {
			continue
		}
		job := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "batch/v1", "kind": "Job", "spec": spec}}
		job.SetName(o.GetName() + "-" + name)
		job.SetNamespace(o.GetNamespace())
		return job
	}
	return nil
}

// clusterScoped lists the cluster-scoped kinds the inputs here contain.
func clusterScoped(kind string) bool {
	switch kind {
	case "Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition", "ValidatingPolicy", "ClusterPolicy":
		return true
	}
	return false
}

// PodOf is the pod a workload's controller would create from its template,
// named after the workload; nil for anything else.
func PodOf(w *unstructured.Unstructured) *unstructured.Unstructured {
	path := []string{"spec", "template"}
	switch w.GetKind() {
	case "Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "Rollout":
	case "CronJob":
		path = []string{"spec", "jobTemplate", "spec", "template"}
	default:
		return nil
	}
	tmpl, found, _ := unstructured.NestedMap(w.Object, path...)
	if !found {
		return nil
	}
	spec, _, _ := unstructured.NestedMap(tmpl, "spec")
	pod := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Pod", "spec": spec}}
	pod.SetName(w.GetName() + "-" + strings.ToLower(w.GetKind()) + "-pod")
	pod.SetNamespace(w.GetNamespace())
	labels, _, _ := unstructured.NestedStringMap(tmpl, "metadata", "labels")
	pod.SetLabels(labels)
	annotations, _, _ := unstructured.NestedStringMap(tmpl, "metadata", "annotations")
	pod.SetAnnotations(annotations)
	return pod
}

// suiteTest is the part of a kyverno-test.yaml used here.
type suiteTest struct {
	Resources []string `json:"resources"`
	Variables string   `json:"variables"`
	Results   []struct {
		Policy    string   `json:"policy"`
		Kind      string   `json:"kind"`
		Resources []string `json:"resources"`
		Result    string   `json:"result"`
	} `json:"results"`
}

// PolicyDirs are the Kyverno policies and this platform's exceptions to
// them, as the base stack installs them and this repository's guard checks
// with them.
// The library is a chart (guard-policies): guard renders it with the
// parameters and profiles of the repository's .guard.yaml, as the base
// stack installs it.
func PolicyDirs(root string) []string {
	return []string{filepath.Join(root, "policies"), filepath.Join(root, "platform")}
}

// SuiteSubjects are the resources of every Kyverno test suite under the
// policy directories, each failing one expected to be denied by its policy, and the
// namespaces the suites declare (with their labels) that must exist: the
// cluster creates them before its policies (cluster.Up), as a namespace
// like the suites' baseline one would not be admitted today.
func SuiteSubjects(policyDirs ...string) (subjects []Subject, namespaces []*unstructured.Unstructured, err error) {
	var suites []string
	for _, policyDir := range policyDirs {
		// A suite beside its policy: policies/kyverno/NAME/, platform/exceptions/.
		for _, pattern := range []string{"*/kyverno-test.yaml", "*/*/kyverno-test.yaml"} {
			found, err := filepath.Glob(filepath.Join(policyDir, pattern))
			if err != nil {
				return nil, nil, err
			}
			suites = append(suites, found...)
		}
	}
	sort.Strings(suites)
	seenNamespace := map[string]bool{}
	for _, path := range suites {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, nil, err
		}
		var t suiteTest
		if err := yaml.Unmarshal(data, &t); err != nil {
			return nil, nil, fmt.Errorf("%s: %v", path, err)
		}
		dir := filepath.Dir(path)
		group := "suite/" + filepath.Base(dir)
		expect := map[string]string{}
		for _, r := range t.Results {
			if r.Result == "fail" {
				for _, name := range r.Resources {
					expect[r.Kind+"/"+name] = r.Policy
				}
			}
		}
		for _, res := range t.Resources {
			objs, err := cluster.ReadObjects(filepath.Join(dir, res))
			if err != nil {
				return nil, nil, err
			}
			for _, obj := range objs {
				if obj.GetNamespace() == "" && !clusterScoped(obj.GetKind()) {
					obj.SetNamespace("default")
				}
				subjects = append(subjects, Subject{Group: group, Object: obj, ExpectDeniedBy: expect[obj.GetKind()+"/"+obj.GetName()]})
			}
		}
		if t.Variables == "" {
			continue
		}
		values, err := cluster.ReadObjects(filepath.Join(dir, t.Variables))
		if err != nil {
			return nil, nil, err
		}
		for _, v := range values {
			selectors, _, _ := unstructured.NestedSlice(v.Object, "namespaceSelector")
			for _, s := range selectors {
				m, _ := s.(map[string]any)
				name, _ := m["name"].(string)
				if name == "" || seenNamespace[name] {
					continue
				}
				seenNamespace[name] = true
				ns := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": "Namespace"}}
				ns.SetName(name)
				labels := map[string]string{}
				if l, ok := m["labels"].(map[string]any); ok {
					for k, v := range l {
						labels[k], _ = v.(string)
					}
				}
				// The platform labels all three Pod Security modes alike
				// (namespace-pod-security); a suite names only enforce.
				if level, ok := labels["pod-security.kubernetes.io/enforce"]; ok {
					for _, mode := range []string{"audit", "warn"} {
						if _, ok := labels["pod-security.kubernetes.io/"+mode]; !ok {
							labels["pod-security.kubernetes.io/"+mode] = level
						}
					}
				}
				ns.SetLabels(labels)
				namespaces = append(namespaces, ns)
			}
		}
	}
	return subjects, namespaces, nil
}
