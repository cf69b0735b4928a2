// Package e2e proves that the clusters and `guard check` agree: every object
// is submitted to a real kube-apiserver with Kyverno's admission controller
// (dry-run) and checked by guard, and their verdicts are compared.
package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/acme/guard/test/e2e/cluster"
)

// PodSecurity stands for Pod Security Admission among the deniers.
const PodSecurity = "PodSecurity"

// podSecurityPolicies are guard's policies that predict Pod Security
// Admission where a namespace enforces a level: a Pod they deny there is
// denied by PSA (which runs before any webhook), a workload they deny gets
// PSA's "would violate" warning. Elsewhere they apply restricted while PSA
// enforces nothing (fail closed), so their denial is theirs alone.
var podSecurityPolicies = map[string]bool{"restricted-pod-security": true, "baseline-pod-security": true}

// Subject is one object submitted to both sides.
type Subject struct {
	// Group is where it comes from (chart/primary, suite/<policy>,
	// variant); guard checks a group's objects together.
	Group  string                     `json:"group"`
	Object *unstructured.Unstructured `json:"-"`
	// ExpectDeniedBy, for a failing test resource or a generated
	// violation, is the policy that must deny it (on both sides).
	ExpectDeniedBy string `json:"expectDeniedBy,omitempty"`
}

// Key names an object as guard's findings do.
func (s Subject) Key() string {
	return key(s.Object.GetKind(), s.Object.GetNamespace(), s.Object.GetName())
}

func key(kind, namespace, name string) string {
	if namespace == "" {
		return kind + "/" + name
	}
	return kind + "/" + namespace + "/" + name
}

// ClusterVerdict is what admission answered.
type ClusterVerdict struct {
	Admitted bool `json:"admitted"`
	// DeniedBy is the policy whose denial the apiserver returned (it
	// returns the first of several), or PodSecurity.
	DeniedBy string `json:"deniedBy,omitempty"`
	// PodSecurity: PSA denied the pod, or warned that the workload's pods
	// would be denied.
	PodSecurity bool   `json:"podSecurity"`
	Message     string `json:"message,omitempty"`
}

// GuardVerdict is what guard check reported.
type GuardVerdict struct {
	// Denies are the policies with a failing, unwaived deny finding.
	Denies      []string `json:"denies"`
	PodSecurity bool     `json:"podSecurity"`
}

// Predicted is the admission answer guard's findings imply: Pod Security
// Admission runs before the webhooks, so a pod it denies is denied by it
// alone; otherwise every failing policy could be the one reported.
func (g GuardVerdict) Predicted(kind string) (admitted bool, deniers []string) {
	if kind == "Pod" && g.PodSecurity {
		return false, []string{PodSecurity}
	}
	return len(g.Denies) == 0, g.Denies
}

// Row is one object's verdicts on both sides.
type Row struct {
	Subject
	Name     string         `json:"object"`
	Cluster  ClusterVerdict `json:"cluster"`
	Guard    GuardVerdict   `json:"guard"`
	Match    bool           `json:"match"`
	Mismatch string         `json:"mismatch,omitempty"`
}

// compare fills in Match and, when they differ, why.
func (r *Row) compare() {
	admitted, deniers := r.Guard.Predicted(r.Subject.Object.GetKind())
	var why []string
	switch {
	case admitted != r.Cluster.Admitted:
		why = append(why, fmt.Sprintf("cluster %s, guard %s", word(r.Cluster.Admitted), word(admitted)))
	case !admitted && !slices.Contains(deniers, r.Cluster.DeniedBy):
		why = append(why, fmt.Sprintf("cluster denied by %s, guard by %s", r.Cluster.DeniedBy, strings.Join(deniers, ", ")))
	}
	if r.Cluster.PodSecurity != r.Guard.PodSecurity {
		why = append(why, fmt.Sprintf("Pod Security: cluster %t, guard %t", r.Cluster.PodSecurity, r.Guard.PodSecurity))
	}
	if e := r.ExpectDeniedBy; e != "" {
		if r.Cluster.Admitted {
			why = append(why, "expected a denial by "+e+", the cluster admitted it")
		}
		if !slices.Contains(r.Guard.Denies, e) {
			why = append(why, "expected a denial by "+e+", guard did not report it")
		}
	}
	r.Match = len(why) == 0
	r.Mismatch = strings.Join(why, "; ")
}

func word(admitted bool) string {
	if admitted {
		return "admitted"
	}
	return "denied"
}

var (
	kyvernoDenial = regexp.MustCompile(`[Pp]olicy ([a-z0-9.-]+) failed`)
	vapDenial     = regexp.MustCompile(`ValidatingAdmissionPolicy '([^']+)'`)
)

// Submit asks the cluster about every subject (server-side dry-run).
func Submit(ctx context.Context, c *cluster.Cluster, subjects []Subject) ([]Row, error) {
	rows := make([]Row, 0, len(subjects))
	for _, s := range subjects {
		v, err := c.DryRunCreate(ctx, s.Object)
		if err != nil {
			return nil, err
		}
		cv := ClusterVerdict{Admitted: v.Admitted, Message: v.Message}
		switch {
		case v.Admitted:
		case strings.Contains(v.Message, "violates PodSecurity"):
			cv.DeniedBy, cv.PodSecurity = PodSecurity, true
		case kyvernoDenial.MatchString(v.Message):
			cv.DeniedBy = kyvernoDenial.FindStringSubmatch(v.Message)[1]
		case vapDenial.MatchString(v.Message):
			cv.DeniedBy = vapDenial.FindStringSubmatch(v.Message)[1]
		default:
			cv.DeniedBy = "(other: " + v.Message + ")"
		}
		for _, w := range v.Warnings {
			if strings.Contains(w, "would violate PodSecurity") {
				cv.PodSecurity = true
			}
		}
		rows = append(rows, Row{Subject: s, Name: s.Key(), Cluster: cv})
	}
	return rows, nil
}

// guardFinding is one finding of guard's JSON report.
type guardFinding struct {
	Policy   string `json:"policy"`
	Engine   string `json:"engine"`
	Level    string `json:"level"`
	Resource string `json:"resource"`
	Waived   bool   `json:"waived"`
}

// guardReport is the part of `guard check --format json` used here.
type guardReport struct {
	Findings []guardFinding `json:"findings"`
	Policies []struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"policies"`
}

// Check runs guard on each group of rows (with the namespaces the cluster
// has, so namespace selectors see the same labels) and records its
// verdicts, then compares. policyDirs are what guard checks against;
// guardArgs are more of its flags (the repository's .guard.yaml is read too).
func Check(guard, root string, policyDirs []string, workDir string, namespaces []*unstructured.Unstructured, rows []Row, guardArgs ...string) error {
	groups := map[string][]int{}
	for i, r := range rows {
		groups[r.Group] = append(groups[r.Group], i)
	}
	for _, group := range slices.Sorted(maps.Keys(groups)) {
		dir := filepath.Join(workDir, strings.ReplaceAll(group, "/", "_"))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		objs := append([]*unstructured.Unstructured(nil), namespaces...)
		for _, i := range groups[group] {
			obj := rows[i].Subject.Object
			if obj.GetKind() == "Namespace" {
				objs = dropNamespace(objs, obj.GetName())
			}
			objs = append(objs, obj)
		}
		if err := writeYAML(filepath.Join(dir, "objects.yaml"), objs); err != nil {
			return err
		}
		report, err := runGuard(guard, root, policyDirs, dir, guardArgs...)
		if err != nil {
			return fmt.Errorf("group %s: %v", group, err)
		}
		names := map[string]string{}
		for _, p := range report.Policies {
			names[p.ID] = p.Name
		}
		denies := map[string]map[string]bool{}
		for _, f := range report.Findings {
			if f.Level != "deny" || f.Waived {
				continue
			}
			if denies[f.Resource] == nil {
				denies[f.Resource] = map[string]bool{}
			}
			denies[f.Resource][names[f.Policy]] = true
		}
		enforced := enforcedNamespaces(objs)
		for _, i := range groups[group] {
			var g GuardVerdict
			ns := rows[i].Subject.Object.GetNamespace()
			if ns == "" {
				ns = "default"
			}
			for name := range denies[rows[i].Name] {
				g.Denies = append(g.Denies, name)
				g.PodSecurity = g.PodSecurity || podSecurityPolicies[name] && enforced[ns] && psaKinds[rows[i].Subject.Object.GetKind()]
			}
			sort.Strings(g.Denies)
			rows[i].Guard = g
			rows[i].compare()
		}
	}
	return nil
}

// psaKinds are what Pod Security Admission judges: pods, and the built-in
// workloads whose templates it warns about (k8s.io/pod-security-admission's
// DefaultPodSpecExtractor). A custom resource with a pod template, an Argo
// Rollout, gets no warning: only its pods meet PSA.
var psaKinds = map[string]bool{
	"Pod": true, "PodTemplate": true, "ReplicationController": true, "ReplicaSet": true, "Deployment": true,
	"StatefulSet": true, "DaemonSet": true, "Job": true, "CronJob": true,
}

// enforcedNamespaces are the namespaces among objs whose
// pod-security.kubernetes.io/enforce label names a level PSA denies by.
func enforcedNamespaces(objs []*unstructured.Unstructured) map[string]bool {
	out := map[string]bool{}
	for _, o := range objs {
		if level := o.GetLabels()["pod-security.kubernetes.io/enforce"]; o.GetKind() == "Namespace" && (level == "baseline" || level == "restricted") {
			out[o.GetName()] = true
		}
	}
	return out
}

func dropNamespace(objs []*unstructured.Unstructured, name string) []*unstructured.Unstructured {
	out := objs[:0:0]
	for _, o := range objs {
		if !(o.GetKind() == "Namespace" && o.GetName() == name) {
			out = append(out, o)
		}
	}
	return out
}

func runGuard(guard, root string, policyDirs []string, dir string, extra ...string) (*guardReport, error) {
	args := append([]string{"check", "--format", "json"}, extra...)
	for _, p := range policyDirs {
		args = append(args, "--policy", p)
	}
	cmd := exec.Command(guard, append(args, dir)...)
	cmd.Dir = root
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if exit, ok := err.(*exec.ExitError); ok && exit.ExitCode() == 1 {
		err = nil // violations
	}
	if err != nil {
		return nil, fmt.Errorf("guard check %s: %v: %s", dir, err, strings.TrimSpace(stderr.String()))
	}
	var r guardReport
	if err := json.Unmarshal(out, &r); err != nil {
		return nil, fmt.Errorf("guard check %s: %v", dir, err)
	}
	// Admission is Kyverno's: the library's Rego policies (which guard
	// loads from the same chart directory) judge what no admission
	// controller sees, and are not compared.
	r.Findings = slices.DeleteFunc(r.Findings, func(f guardFinding) bool { return f.Engine == "rego" })
	return &r, nil
}

func writeYAML(path string, objs []*unstructured.Unstructured) error {
	var b strings.Builder
	for _, o := range objs {
		data, err := yaml.Marshal(o.Object)
		if err != nil {
			return err
		}
		b.WriteString("---\n")
		b.Write(data)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}
