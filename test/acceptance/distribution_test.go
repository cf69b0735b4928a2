package acceptance

// guard in a repository other than this one: the built-in library, the
// configuration file, baselines, repository charts and Rego data, each
// driven through the built binary.

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"sigs.k8s.io/yaml"
)

// emptyRepo is a directory holding only the named files of testdata/plans.
func emptyRepo(t *testing.T, plans ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, p := range plans {
		data, err := os.ReadFile(filepath.Join(root, "testdata/plans", p))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

type jsonReport struct {
	Summary struct {
		Findings, Failures, Baseline int
		Passed                       bool
	}
	Findings []struct {
		Policy, Resource, Message, File string
		Line                            int
		Baseline                        bool
	}
	Policies []struct{ ID, File string }
}

func decodeReport(t *testing.T, text string) jsonReport {
	t.Helper()
	var rep jsonReport
	if err := json.Unmarshal([]byte(text), &rep); err != nil {
		t.Fatalf("report: %v\n%s", err, text)
	}
	return rep
}

func policyIDs(t *testing.T, r result) []string {
	t.Helper()
	var ps []struct{ ID, File string }
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &ps) != nil {
		t.Fatalf("guard policies: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var ids []string
	for _, p := range ps {
		ids = append(ids, p.ID)
	}
	return ids
}

func TestBuiltinLibraryAnywhere(t *testing.T) {
	dir := emptyRepo(t, "base-legacy-abac.json")
	r := runIn(t, dir, "check", "base-legacy-abac.json")
	if r.code != 1 || !strings.Contains(r.stdout, "GKE-004") {
		t.Fatalf("a violating plan in an empty directory: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	clean := emptyRepo(t, "base.json")
	if r := runIn(t, clean, "check", "base.json"); r.code != 0 {
		t.Errorf("the platform's clean plan in an empty directory: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Every policy of the library, named as built in: with its profile, as
	// this repository's configuration enables it; without, the default set.
	builtin := policyIDs(t, runIn(t, dir, "policies", "--format", "json", "--profile", "two-region-gke"))
	onDisk := policyIDs(t, guard(t, "policies", "--format", "json", "--policy", "policies"))
	if !slices.Equal(builtin, onDisk) || len(builtin) < 50 {
		t.Errorf("guard policies --profile two-region-gke in an empty directory lists %d policies, the library %d", len(builtin), len(onDisk))
	}
	defaults := policyIDs(t, runIn(t, dir, "policies", "--format", "json"))
	if len(defaults) >= len(builtin) || slices.Contains(defaults, "STK-001") || !slices.Contains(defaults, "GKE-001") {
		t.Errorf("the default set: %v", defaults)
	}
	builtin = defaults
	rep := decodeReport(t, runIn(t, dir, "check", "-f", "json", "base-legacy-abac.json").stdout)
	for _, p := range rep.Policies {
		if p.File != "" && !strings.HasPrefix(p.File, "builtin/rego/") && !strings.HasPrefix(p.File, "builtin/kyverno/") {
			t.Errorf("policy %s: file %q, want builtin/...", p.ID, p.File)
		}
	}
	// builtin combines with a user's own; one id twice is an error.
	own := filepath.Join(dir, "own")
	writeFile(t, filepath.Join(own, "region.rego"), `# METADATA
# title: Resources stay in Europe
# custom:
#   id: ACME-001
#   severity: LOW
package acme.region

deny contains msg if {
	some r in input.terraform.resources
	r.type == "google_container_cluster"
	not startswith(r.values.location, "europe-")
	msg := sprintf("%s is outside Europe", [r.address])
}
`)
	both := policyIDs(t, runIn(t, dir, "policies", "--format", "json", "--policy", "builtin", "--policy", "own"))
	if len(both) != len(builtin)+1 || !slices.Contains(both, "ACME-001") {
		t.Errorf("--policy builtin --policy own: %d policies, want %d", len(both), len(builtin)+1)
	}
	if r := runIn(t, dir, "check", "--policy", "own", "base-legacy-abac.json"); r.code != 0 || !strings.Contains(r.stdout, "against 1 policy") {
		t.Errorf("--policy own alone: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	dup := guard(t, "check", "--policy", "builtin", "--policy", "policies", "testdata/plans/base.json")
	if dup.code != 2 || !strings.Contains(dup.stderr, "one policy loaded twice?") || strings.Count(dup.stderr, "\n") != 1 {
		t.Errorf("the library twice: exit %d\n%s", dup.code, dup.stderr)
	}
	if r := runIn(t, dir, "check", "--policy", "nope", "base.json"); r.code != 2 || !strings.Contains(r.stderr, "nope: policy directory not found") {
		t.Errorf("--policy nope: exit %d\n%s", r.code, r.stderr)
	}
}

func TestConfigFile(t *testing.T) {
	dir := emptyRepo(t, "base-legacy-abac.json", "base-default-sa.json")
	cfg := filepath.Join(dir, ".guard.yaml")

	// Severity from the file; a flag overrides it.
	writeFile(t, cfg, "severity: CRITICAL\n")
	if r := runIn(t, dir, "check", "base-legacy-abac.json"); r.code != 0 || !strings.Contains(r.stdout, "0 failing at CRITICAL") {
		t.Errorf("severity: CRITICAL: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, dir, "check", "--severity", "HIGH", "base-legacy-abac.json"); r.code != 1 {
		t.Errorf("--severity HIGH over the file: exit %d", r.code)
	}

	// Format and output, exclude, skip-policies (GKE-020 too: the
	// reference plans predate it; see skipKMS).
	writeFile(t, cfg, `format: json
output: out/report.json
exclude: ["base-default-sa.json"]
skip-policies: [GKE-004, GKE-020]
`)
	if err := os.Mkdir(filepath.Join(dir, "out"), 0o755); err != nil {
		t.Fatal(err)
	}
	r := runIn(t, dir, "check")
	data, err := os.ReadFile(filepath.Join(dir, "out/report.json"))
	if err != nil || r.stdout != "" {
		t.Fatalf("output: %v; stdout %q", err, r.stdout)
	}
	rep := decodeReport(t, string(data))
	if r.code != 0 || rep.Summary.Findings != 0 || slices.ContainsFunc(rep.Policies, func(p struct{ ID, File string }) bool { return p.ID == "GKE-004" }) {
		t.Errorf("GKE-004 skipped, the default-SA plan excluded: exit %d, %+v", r.code, rep.Summary)
	}
	// Without the exclusion the other plan's findings are back; named
	// on the command line, an excluded file is read.
	if r := runIn(t, dir, "check", "--exclude", "none", "-o", "", "-f", "text"); r.code != 1 || !strings.Contains(r.stdout, "base-default-sa.json") {
		t.Errorf("--exclude over the file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, dir, "check", "-o", "", "-f", "text", "base-default-sa.json"); r.code != 1 {
		t.Errorf("an excluded file named explicitly: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// only-policies: that policy alone.
	writeFile(t, cfg, "only-policies: [GKE-004]\n")
	r = runIn(t, dir, "check", "-f", "json")
	rep = decodeReport(t, r.stdout)
	if r.code != 1 || len(rep.Policies) != 1 || rep.Summary.Findings != 2 {
		t.Errorf("only-policies: exit %d, %d policies, %+v", r.code, len(rep.Policies), rep.Summary)
	}

	// Errors: file and line, exit 2.
	for _, tc := range []struct{ text, want string }{
		{"severity: HIGH\nformats: json\n", ".guard.yaml:2: unknown key \"formats\""},
		{"exclude: testdata\n", ".guard.yaml:1: exclude: want a list of strings"},
		{"severity: [HIGH]\n", ".guard.yaml:1: severity: want a string"},
		{"only-policies: [NOPE-1]\n", "--only-policy NOPE-1: no policy with this id is loaded"},
		{"severity: HIGH\n  format: json\n", ".guard.yaml:2: "},
		{"severity: SEVERE\n", "unknown severity \"SEVERE\""},
	} {
		writeFile(t, cfg, tc.text)
		if r := runIn(t, dir, "check"); r.code != 2 || !strings.Contains(r.stderr, tc.want) || strings.Count(strings.TrimSpace(r.stderr), "\n") > 0 {
			t.Errorf("%q: exit %d, want 2 and %q in one line:\n%s", tc.text, r.code, tc.want, r.stderr)
		}
	}
	os.Remove(cfg)

	// Found at the repository's root from a subdirectory, its paths
	// relative to it; --config names any file.
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, cfg, "policies: [own]\n")
	writeFile(t, filepath.Join(dir, "own/p.rego"), "# METADATA\n# title: Every plan fails\n# custom:\n#   id: OWN-1\n#   severity: LOW\npackage own\n\ndeny contains \"always\" if true\n")
	sub := filepath.Join(dir, "sub")
	writeFile(t, filepath.Join(sub, "plan.json"), mustRead(t, filepath.Join(root, "testdata/plans/base.json")))
	if r := runIn(t, sub, "check", "plan.json"); r.code != 1 || !strings.Contains(r.stdout, "OWN-1") || !strings.Contains(r.stdout, "against 1 policy") {
		t.Errorf("the repository root's .guard.yaml from sub/: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	writeFile(t, filepath.Join(dir, "other.yaml"), "policies: [builtin]\n")
	if r := runIn(t, sub, "check", "--config", "../other.yaml", "plan.json"); r.code != 0 {
		t.Errorf("--config ../other.yaml: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := runIn(t, sub, "check", "--config", "../missing.yaml", "plan.json"); r.code != 2 || !strings.Contains(r.stderr, "missing.yaml") {
		t.Errorf("--config missing: exit %d\n%s", r.code, r.stderr)
	}
}

func mustRead(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestBaseline(t *testing.T) {
	dir := emptyRepo(t, "base-legacy-abac.json")
	// The reference plans predate GKE-020 (skipKMS).
	writeFile(t, filepath.Join(dir, ".guard.yaml"), "skip-policies: [GKE-020]\n")
	first := runIn(t, dir, "check", "-f", "json", "-o", "baseline.json", "base-legacy-abac.json")
	if first.code != 1 {
		t.Fatalf("first run: exit %d\n%s", first.code, first.stderr)
	}
	// Accepted findings do not fail the run, wherever their line moved.
	var raw map[string]any
	if err := json.Unmarshal([]byte(mustRead(t, filepath.Join(dir, "baseline.json"))), &raw); err != nil {
		t.Fatal(err)
	}
	for _, f := range raw["findings"].([]any) {
		f.(map[string]any)["line"] = 9999
	}
	moved, _ := json.Marshal(raw)
	writeFile(t, filepath.Join(dir, "baseline.json"), string(moved))
	r := runIn(t, dir, "check", "--baseline", "baseline.json", "base-legacy-abac.json")
	if r.code != 0 || strings.Count(r.stdout, "HIGH (baseline)") != 2 || !strings.Contains(r.stdout, "2 in the baseline") {
		t.Errorf("everything in the baseline: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A finding not in the baseline fails, and every format says which is which.
	findings := raw["findings"].([]any)
	raw["findings"] = findings[:1]
	one, _ := json.Marshal(raw)
	writeFile(t, filepath.Join(dir, "baseline.json"), string(one))
	rep := decodeReport(t, runIn(t, dir, "check", "--baseline", "baseline.json", "-f", "json", "base-legacy-abac.json").stdout)
	if rep.Summary.Passed || rep.Summary.Baseline != 1 || rep.Summary.Failures != 1 {
		t.Errorf("one new finding: %+v", rep.Summary)
	}
	sarif := runIn(t, dir, "check", "--baseline", "baseline.json", "-f", "sarif", "base-legacy-abac.json")
	var log struct {
		Runs []struct {
			Results []struct{ BaselineState, Level string }
		}
	}
	if err := json.Unmarshal([]byte(sarif.stdout), &log); err != nil || sarif.code != 1 {
		t.Fatalf("sarif: exit %d, %v", sarif.code, err)
	}
	var states []string
	for _, res := range log.Runs[0].Results {
		states = append(states, res.BaselineState+"/"+res.Level)
	}
	slices.Sort(states)
	if !slices.Equal(states, []string{"new/error", "unchanged/warning"}) {
		t.Errorf("SARIF baselineState/level: %v", states)
	}
	gh := runIn(t, dir, "check", "--baseline", "baseline.json", "-f", "github", "base-legacy-abac.json")
	if strings.Count(gh.stdout, "::error ") != 1 || !strings.Contains(gh.stdout, "::notice file=base-legacy-abac.json") || !strings.Contains(gh.stdout, "(baseline)") {
		t.Errorf("github format:\n%s", gh.stdout)
	}
	// Anything but a guard JSON report is an error naming it.
	writeFile(t, filepath.Join(dir, "bad.json"), `{"runs": []}`)
	if r := runIn(t, dir, "check", "--baseline", "bad.json", "base-legacy-abac.json"); r.code != 2 || !strings.HasPrefix(r.stderr, "guard: bad.json: not a guard JSON report") {
		t.Errorf("a SARIF log as baseline: exit %d\n%s", r.code, r.stderr)
	}
}

// kyvernoChartArchive packages the Kyverno chart at the version the base
// stack pins (3.9.1, shipped in Kyverno's Go module) as `helm pull` would
// leave it: kyverno-3.9.1.tgz. The module lacks three dependencies from
// other repositories (kyverno-api, openreports, reports-server); they are
// dropped from Chart.yaml, as Helm refuses a chart whose dependency is
// missing.
func kyvernoChartArchive(t *testing.T, into string) {
	t.Helper()
	ch, err := loader.Load(filepath.Join(kyvernoModule(t), "charts/kyverno"))
	if err != nil {
		t.Fatal(err)
	}
	if ch.Metadata.Version != "3.9.1" {
		t.Fatalf("Kyverno's module ships chart %s; the base stack pins 3.9.1", ch.Metadata.Version)
	}
	kept := ch.Metadata.Dependencies[:0]
	for _, d := range ch.Metadata.Dependencies {
		if d.Repository == "" {
			kept = append(kept, d)
		}
	}
	ch.Metadata.Dependencies = kept
	ch.Lock = nil
	if _, err := chartutil.Save(ch, into); err != nil {
		t.Fatal(err)
	}
}

func TestRepositoryCharts(t *testing.T) {
	charts := t.TempDir()
	kyvernoChartArchive(t, charts)
	type inspected struct {
		Kubernetes struct {
			Objects []struct {
				ID     string
				Source struct {
					File string
					Line int
				}
				Release struct{ Resource string }
			}
		}
	}
	kyvernoObjects := func(r result) (n int, src string) {
		t.Helper()
		var in inspected
		if r.code != 0 || json.Unmarshal([]byte(r.stdout), &in) != nil {
			t.Fatalf("inspect: exit %d\n%s", r.code, r.stderr)
		}
		for _, o := range in.Kubernetes.Objects {
			if o.Release.Resource == "helm_release.kyverno_primary" {
				n++
				src = o.Source.File + ":" + itoa(o.Source.Line)
			}
		}
		return n, src
	}
	// Without the archive: a note, and nothing of Kyverno's.
	without := guard(t, "inspect", "stacks/base")
	if n, _ := kyvernoObjects(without); n != 0 || !strings.Contains(without.stderr, `helm_release.kyverno_primary: chart "kyverno" comes from a repository and kyverno-3.9.1.tgz is not in`) {
		t.Errorf("no archive: %d objects; notes:\n%s", n, without.stderr)
	}
	// With --charts, and from Helm's repository cache: rendered with the
	// release's values, every object pointing at the release.
	withCharts := guard(t, "inspect", "--charts", charts, "stacks/base")
	n, src := kyvernoObjects(withCharts)
	release := "stacks/base/kubernetes.tf:" + itoa(lineOf(t, "stacks/base/kubernetes.tf", `resource "helm_release" "kyverno_primary"`))
	if n < 20 || src != release || strings.Contains(withCharts.stderr, "kyverno_primary") {
		t.Errorf("--charts: %d objects of the Kyverno release at %s; notes:\n%s", n, src, withCharts.stderr)
	}
	cache := t.TempDir()
	if err := os.MkdirAll(filepath.Join(cache, "repository"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(charts, "kyverno-3.9.1.tgz"), filepath.Join(cache, "repository", "kyverno-3.9.1.tgz")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(guardBin, "inspect", "stacks/base")
	cmd.Env = append(os.Environ(), "HELM_CACHE_HOME="+cache)
	if m, _ := kyvernoObjects(run(t, cmd)); m != n {
		t.Errorf("from Helm's cache: %d objects, from --charts %d", m, n)
	}
	// The platform's release passes; the same chart installed outside
	// Kyverno's namespace, from its public registries, fails the pod and
	// image policies at the release's block.
	if r := guard(t, "check", "--charts", filepath.Join(cache, "repository"), "stacks/base"); r.code != 0 {
		t.Errorf("the platform's Kyverno release: exit %d\n%s", r.code, r.stdout)
	}
	dir := projectCopy(t)
	tf := filepath.Join(dir, "stacks/base/kubernetes.tf")
	text := mustRead(t, tf)
	text = strings.Replace(text, `    global          = { image = { registry = local.image_registry } }`, "", 1)
	writeFile(t, tf, text)
	r := runIn(t, dir, "check", "--charts", filepath.Join(cache, "repository"), "stacks/base")
	if r.code != 1 || !strings.Contains(r.stdout, release+"  STK-002  HIGH  Deployment kyverno-admission-controller: container kyverno runs reg.kyverno.io/kyverno/kyverno:v1.19.1") {
		t.Errorf("Kyverno from its public registry: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func TestRegoData(t *testing.T) {
	dir := emptyRepo(t, "base.json")
	writeFile(t, filepath.Join(dir, "own/regions.rego"), `# METADATA
# title: Clusters run in the approved regions
# custom:
#   id: ACME-002
#   severity: MEDIUM
package acme.regions

deny contains msg if {
	some r in input.terraform.resources
	r.type == "google_container_cluster"
	not r.values.location in data.acme.approved_regions
	msg := sprintf("%s runs in %s, not an approved region", [r.address, r.values.location])
}
`)
	writeFile(t, filepath.Join(dir, "approved.yaml"), "acme:\n  approved_regions: [europe-west1]\n")
	r := runIn(t, dir, "check", "--policy", "own", "--data", "approved.yaml", "base.json")
	if r.code != 1 || strings.Count(r.stdout, "ACME-002") != 1 || !strings.Contains(r.stdout, "not an approved region") {
		t.Errorf("one of two regions approved: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	writeFile(t, filepath.Join(dir, "data/acme.json"), `{"acme": {"approved_regions": ["europe-west1", "europe-west4"]}}`)
	if r := runIn(t, dir, "check", "--policy", "own", "--data", "data", "base.json"); r.code != 0 {
		t.Errorf("both regions approved (a directory of data): exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	writeFile(t, filepath.Join(dir, "broken.yaml"), "acme: [\n")
	for _, bad := range []string{"missing.yaml", "broken.yaml"} {
		if r := runIn(t, dir, "check", "--policy", "own", "--data", bad, "base.json"); r.code != 2 || !strings.Contains(r.stderr, bad) {
			t.Errorf("--data %s: exit %d\n%s", bad, r.code, r.stderr)
		}
	}
	// A config file names data too.
	writeFile(t, filepath.Join(dir, ".guard.yaml"), "policies: [own]\ndata: [approved.yaml]\n")
	if r := runIn(t, dir, "check", "base.json"); r.code != 1 {
		t.Errorf("data from .guard.yaml: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

// actionStep is the run script of the composite Action's step with the id
// or name given.
func actionStep(t *testing.T, name string) string {
	t.Helper()
	var action struct {
		Runs struct {
			Using string
			Steps []struct{ ID, Name, Run string }
		}
	}
	if err := yaml.Unmarshal([]byte(mustRead(t, filepath.Join(root, "action.yml"))), &action); err != nil {
		t.Fatal(err)
	}
	for _, s := range action.Runs.Steps {
		if s.ID == name || s.Name == name {
			return s.Run
		}
	}
	t.Fatalf("action.yml has no step %q", name)
	return ""
}

// TestActionSteps runs the Action's check and verdict steps as the runner
// would (bash, the inputs in the environment, guard on PATH): the exit
// code reaches the verdict, annotations and SARIF are written, and the
// HTML report where html-report names a file.
func TestActionSteps(t *testing.T) {
	check, verdict := actionStep(t, "check"), actionStep(t, "Verdict")
	for _, tc := range []struct {
		plan, severity string
		code           string
	}{
		{"base-legacy-abac.json", "", "1"},
		{"base-legacy-abac.json", "CRITICAL", "0"},
		{"base.json", "", "0"},
		{"missing.json", "", "2"},
	} {
		dir := emptyRepo(t, "base-legacy-abac.json", "base.json")
		// The repository's own settings must not take the log's report
		// or the annotations away from standard output.
		writeFile(t, filepath.Join(dir, ".guard.yaml"), "format: junit\noutput: report.xml\n")
		tmp := t.TempDir()
		out := filepath.Join(tmp, "output")
		env := append(os.Environ(), "PATH="+filepath.Dir(guardBin)+":"+os.Getenv("PATH"),
			"RUNNER_TEMP="+tmp, "GITHUB_OUTPUT="+out, "INPUT_PATHS="+tc.plan, "INPUT_FORMAT=text",
			"INPUT_SEVERITY="+tc.severity, "INPUT_CONFIG=", "INPUT_ARGS=", "INPUT_HTML_REPORT=guard-report.html")
		cmd := exec.Command("bash", "-e", "-c", check)
		cmd.Dir, cmd.Env = dir, env
		r := run(t, cmd)
		outputs := mustRead(t, out)
		if r.code != 0 || !strings.Contains(outputs, "exit-code="+tc.code+"\n") {
			t.Errorf("%s %s: step exit %d, outputs %q\n%s", tc.plan, tc.severity, r.code, outputs, r.stderr)
			continue
		}
		if tc.code != "2" && (!strings.Contains(outputs, "sarif-written=true") || !strings.Contains(r.stdout, "::notice title=guard::")) {
			t.Errorf("%s: no SARIF or annotations: %q\n%s", tc.plan, outputs, r.stdout)
		}
		page, _ := os.ReadFile(filepath.Join(dir, "guard-report.html"))
		if written := strings.Contains(outputs, "html-file=guard-report.html\n") && strings.Contains(string(page), "<h1>guard compliance report</h1>"); written != (tc.code != "2") {
			t.Errorf("%s: HTML report written %v (exit %s): outputs %q", tc.plan, written, tc.code, outputs)
		}
		v := exec.Command("bash", "-e", "-c", verdict)
		v.Env = append(os.Environ(), "CODE="+tc.code)
		if got := run(t, v); strconv.Itoa(got.code) != tc.code {
			t.Errorf("%s: verdict exit %d, want %s", tc.plan, got.code, tc.code)
		}
	}
}

// TestImageDefinition: the image is built static (no cgo: distroless
// static has no libc), carries no file but guard, and runs as non-root.
func TestImageDefinition(t *testing.T) {
	df := mustRead(t, filepath.Join(root, "Dockerfile"))
	for _, want := range []string{
		"CGO_ENABLED=0 go build", "FROM gcr.io/distroless/static-debian12:nonroot",
		"COPY --from=build /out/guard /usr/local/bin/guard", "USER nonroot:nonroot",
		`ENTRYPOINT ["/usr/local/bin/guard"]`,
	} {
		if !strings.Contains(df, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	if strings.Count(df, "\nFROM ") != 2 || !strings.HasPrefix(df[strings.Index(df, "\nFROM ")+1:], "FROM golang:") {
		t.Errorf("Dockerfile: want a golang build stage and one final stage")
	}
}

// TestVersionNamesTheBuild: `guard version` says its commit and date from
// Go's build information (the test binary is a plain build of the checkout).
func TestVersionNamesTheBuild(t *testing.T) {
	head, err := exec.Command("git", "-C", root, "rev-parse", "HEAD").Output()
	if err != nil {
		t.Skip("not a git checkout: no commit to name")
	}
	v := guard(t, "version")
	if v.code != 0 || !strings.Contains(v.stdout, "  commit "+strings.TrimSpace(string(head))) || !strings.Contains(v.stdout, "  built 20") {
		t.Errorf("guard version:\n%s", v.stdout)
	}
}

// lineOf is the line of file (relative to the repository) that starts with prefix.
func lineOf(t *testing.T, file, prefix string) int {
	t.Helper()
	for i, l := range strings.Split(mustRead(t, filepath.Join(root, file)), "\n") {
		if strings.HasPrefix(l, prefix) {
			return i + 1
		}
	}
	t.Fatalf("%s: no line starts with %q", file, prefix)
	return 0
}

// TestReportsNameTheVersion: JSON and SARIF reports name guard as
// `guard version` does, not "dev" (#27).
func TestReportsNameTheVersion(t *testing.T) {
	v := guard(t, "version")
	first, _, _ := strings.Cut(v.stdout, "\n")
	want := strings.TrimPrefix(first, "guard ")
	if v.code != 0 || want == first || want == "" {
		t.Fatalf("guard version: %q", v.stdout)
	}
	var rep struct{ Version string }
	if r := guard(t, "check", "--format", "json", "testdata/plans/base.json"); json.Unmarshal([]byte(r.stdout), &rep) != nil || rep.Version != want {
		t.Errorf("JSON version %q, guard version %q", rep.Version, want)
	}
	var sarif struct {
		Runs []struct {
			Tool struct{ Driver struct{ Version string } }
		}
	}
	if r := guard(t, "check", "--format", "sarif", "testdata/plans/base.json"); json.Unmarshal([]byte(r.stdout), &sarif) != nil || len(sarif.Runs) != 1 || sarif.Runs[0].Tool.Driver.Version != want {
		t.Errorf("SARIF driver version %+v, guard version %q", sarif.Runs, want)
	}
}
