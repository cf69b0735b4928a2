// Package acceptance drives the built guard binary as a user would: exit
// codes, what it prints, and the files it writes.
package acceptance

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"sigs.k8s.io/yaml"
)

// root is the repository root: every command runs there, as in CI.
var root, _ = filepath.Abs("../..")

var guardBin string

// TestMain builds guard once for every test in the package.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "guard-acceptance")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	guardBin = filepath.Join(dir, "guard")
	build := exec.Command("go", "build", "-buildvcs=auto", "-o", guardBin, "./cmd/guard")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building guard: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

type result struct {
	code           int
	stdout, stderr string
}

func guard(t *testing.T, args ...string) result {
	t.Helper()
	return run(t, exec.Command(guardBin, args...))
}

func run(t *testing.T, cmd *exec.Cmd) result {
	t.Helper()
	if cmd.Dir == "" {
		cmd.Dir = root
	}
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("running %v: %v", cmd.Args, err)
	}
	return result{code: code, stdout: out.String(), stderr: errOut.String()}
}

const baseSources = "testdata/reference/base"

// skipKMS leaves GKE-020 out of checks of the reference configuration
// (testdata/reference and its real plans, testdata/plans), written and
// planned before the policy: its clusters encrypt no Secrets with Cloud KMS.
// The tests that use it judge other policies; TestReferenceLacksKMS shows
// that finding itself.
var skipKMS = []string{"--skip-policy", "GKE-020"}

// TestReferenceLacksKMS: the reference configuration's clusters set no
// database_encryption: a violation in HCL (unset: GKE's default,
// DECRYPTED), a warning in its plans (the provider plans it as known only
// after apply).
func TestReferenceLacksKMS(t *testing.T) {
	for _, tt := range []struct {
		args  []string
		level string
	}{
		{[]string{baseSources}, "deny"},
		{[]string{"--source", baseSources, "testdata/plans/base.json"}, "warn"},
	} {
		r := guard(t, append([]string{"check", "--format", "json", "--only-policy", "GKE-020"}, tt.args...)...)
		var rep struct {
			Findings []struct{ Policy, Level string }
		}
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("%v: %v\n%s", tt.args, err, r.stderr)
		}
		if len(rep.Findings) != 2 || rep.Findings[0].Level != tt.level || rep.Findings[1].Level != tt.level {
			t.Errorf("%v: %+v, want two GKE-020 %s", tt.args, rep.Findings, tt.level)
		}
	}
}

func TestCleanInputsExitZero(t *testing.T) {
	for _, args := range [][]string{
		{"check", "--source", baseSources, "testdata/plans/base.json"},
		{"check", baseSources},
		{"check", "--source", "testdata/reference/app", "testdata/plans/app.json", "testdata/plans/base.json"},
		{"check", "testdata/reference"},
	} {
		r := guard(t, append(args, skipKMS...)...)
		if r.code != 0 || !strings.Contains(r.stdout, "no findings") {
			t.Errorf("guard %v: exit %d\n%s%s", args, r.code, r.stdout, r.stderr)
		}
	}
	// The app stack alone cannot show where its images may come from: it
	// passes, with a warning per workload that says so.
	r := guard(t, "check", "testdata/reference/app")
	if r.code != 0 || !strings.Contains(r.stdout, "STK-002  WARN") || !strings.Contains(r.stdout, "0 failing") {
		t.Errorf("app stack alone: exit %d\n%s", r.code, r.stdout)
	}
}

// A bare `guard check` in the repository checks the project's own stacks and
// charts with policies/, and the platform is clean at MEDIUM and above.
func TestBareCheckCoversThePlatform(t *testing.T) {
	r := guard(t, "check", "--severity", "MEDIUM", "--format", "json")
	if r.code != 0 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	var rep struct {
		Summary struct{ Resources, Objects, Policies int }
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Summary.Resources < 40 || rep.Summary.Objects < 30 || rep.Summary.Policies < 7 {
		t.Errorf("a bare check must cover stacks/base, stacks/app and the app rendered per region: %+v", rep.Summary)
	}
	in := guard(t, "inspect")
	for _, want := range []string{`"app:helm_release.app_primary:Deployment/platform-app/app"`, `"app:helm_release.app_secondary:Gateway/platform-app/app"`, `"stacks/base/modules/region/main.tf"`} {
		if !strings.Contains(in.stdout, want) {
			t.Errorf("guard inspect lacks %s", want)
		}
	}
}

// Each reference variant fails on the policy it targets, at the .tf block
// of the resource it changes, and on no other policy.
func TestViolatingPlansPointAtTheirBlock(t *testing.T) {
	cluster := baseSources + "/modules/region/main.tf:45"
	// The editor grant is caught both as a primitive role (IAM-001) and as a
	// role outside the node service account's allowed set (IAM-002).
	tests := []struct {
		plan, policy, location string
		count                  int
		also                   string
	}{
		{"base-public-endpoint-secondary.json", "GKE-002", cluster, 1, ""},
		{"base-default-sa.json", "GKE-006", baseSources + "/modules/region/main.tf:131", 1, ""},
		{"base-editor-role.json", "IAM-001", baseSources + "/main.tf:24", 2, "IAM-002"},
		{"base-no-netpol.json", "GKE-005", cluster, 2, ""},
		{"base-open-authorized-networks.json", "GKE-003", cluster, 2, ""},
		{"base-legacy-abac.json", "GKE-004", cluster, 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.plan, func(t *testing.T) {
			r := guard(t, append([]string{"check", "--format", "json", "--source", baseSources, "testdata/plans/" + tt.plan}, skipKMS...)...)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\n%s", r.code, r.stderr)
			}
			var rep struct {
				Findings []struct {
					Policy, File, Resource string
					Line                   int
				}
			}
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Findings) != tt.count {
				t.Errorf("%d findings, want %d: %+v", len(rep.Findings), tt.count, rep.Findings)
			}
			for _, f := range rep.Findings {
				if (f.Policy != tt.policy && f.Policy != tt.also) || fmt.Sprintf("%s:%d", f.File, f.Line) != tt.location {
					t.Errorf("finding %+v, want %s at %s", f, tt.policy, tt.location)
				}
			}
			text := guard(t, "check", "--source", baseSources, "testdata/plans/"+tt.plan)
			if text.code != 1 || !strings.Contains(text.stdout, tt.location+"  "+tt.policy+"  HIGH") {
				t.Errorf("text output lacks %s %s:\n%s", tt.location, tt.policy, text.stdout)
			}
		})
	}
	if r := guard(t, "check", "testdata/plans/base-secondary-missing.json"); r.code != 2 {
		t.Errorf("a missing plan: exit %d", r.code)
	}
}

func TestViolatingManifests(t *testing.T) {
	r := guard(t, "check", "testdata/manifests/multi.yaml")
	for _, want := range []string{
		"testdata/manifests/multi.yaml:6  STK-004  HIGH  namespace team-a runs Deployment web but has no default-deny NetworkPolicy",
		// The Namespace is in the file: its label is K8S-006's, once.
		"testdata/manifests/multi.yaml:1  K8S-006  HIGH  Namespace team-a: Label the namespace pod-security.kubernetes.io/enforce, audit and warn = restricted.",
	} {
		if r.code != 1 || !strings.Contains(r.stdout, want) {
			t.Errorf("exit %d, want %q in\n%s", r.code, want, r.stdout)
		}
	}
}

func TestViolatingHCLPointsAtItsBlock(t *testing.T) {
	r := guard(t, "check", "testdata/hcl/violating")
	if r.code != 1 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"testdata/hcl/violating/main.tf:8  GKE-002  HIGH", "testdata/hcl/violating/main.tf:8  GKE-004  HIGH"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, r.stdout)
		}
	}
	if r := guard(t, "check", "--var", "abac=false", "testdata/hcl/violating"); strings.Contains(r.stdout, "GKE-004") || r.code != 1 {
		t.Errorf("--var abac=false must clear GKE-004 only: exit %d\n%s", r.code, r.stdout)
	}
	if r := guard(t, "check", "--severity", "critical", "testdata/hcl/violating"); r.code != 0 {
		t.Errorf("HIGH findings under a CRITICAL threshold: exit %d", r.code)
	}
}

func TestBadInputExitsTwoNamingTheFile(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"check", "testdata/bad/malformed-plan.json"}, "testdata/bad/malformed-plan.json:4: malformed JSON"},
		{[]string{"check", "testdata/bad/malformed.yaml"}, "testdata/bad/malformed.yaml:4: malformed YAML"},
		{[]string{"check", "testdata/hcl/broken"}, "testdata/hcl/broken/main.tf:3:"},
		{[]string{"check", "--policy", "testdata/policies/broken", baseSources}, "testdata/policies/broken/broken.rego:9: rego_parse_error"},
		{[]string{"check", "testdata/no/such/path"}, "testdata/no/such/path: no such file or directory"},
		{[]string{"check", "--policy", "testdata/no-policies", baseSources}, "testdata/no-policies: policy directory not found"},
		{[]string{"check", "--format", "xml", baseSources}, `--format "xml"`},
		{[]string{"check", "--severity", "urgent", baseSources}, `unknown severity "urgent"`},
		{[]string{"check", "testdata/plans/app.json"}, "chart ./charts/app not found"},
		{[]string{"check", "--output", "/no/such/dir/out.txt", baseSources}, "/no/such/dir/out.txt"},
		{[]string{"inspect", "testdata/bad/malformed.yaml"}, "testdata/bad/malformed.yaml:4"},
	}
	empty := t.TempDir()
	tests = append(tests, struct {
		args []string
		want string
	}{[]string{"check", empty}, "no Terraform, Helm or Kubernetes input found"})
	for _, tt := range tests {
		r := guard(t, tt.args...)
		if r.code != 2 {
			t.Errorf("guard %v: exit %d, want 2\n%s%s", tt.args, r.code, r.stdout, r.stderr)
		}
		if !strings.Contains(r.stderr, tt.want) {
			t.Errorf("guard %v: stderr %q, want it to name %q", tt.args, r.stderr, tt.want)
		}
		if strings.Contains(r.stdout, "no findings") {
			t.Errorf("guard %v reported clean on input it could not read", tt.args)
		}
		if strings.Count(strings.TrimRight(r.stderr, "\n"), "\n") != 0 {
			t.Errorf("guard %v: want a one-line error, got:\n%s", tt.args, r.stderr)
		}
	}
}

// validateSARIF checks a SARIF log against the SARIF 2.1.0 schema.
func validateSARIF(t *testing.T, log string) {
	t.Helper()
	sch, err := jsonschema.NewCompiler().Compile(filepath.Join(root, "testdata/sarif/sarif-2.1.0-rtm.5.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(strings.NewReader(log))
	if err != nil {
		t.Fatal(err)
	}
	if err := sch.Validate(doc); err != nil {
		t.Fatalf("SARIF does not validate: %v", err)
	}
}

func TestSARIFValidatesAgainstSchema(t *testing.T) {
	r := guard(t, append([]string{"check", "--format", "sarif", "--source", baseSources, "testdata/plans/base-no-netpol.json"}, skipKMS...)...)
	if r.code != 1 {
		t.Fatalf("exit %d\n%s", r.code, r.stderr)
	}
	validateSARIF(t, r.stdout)
	multitool(t, r.stdout)
	var log struct {
		Runs []struct {
			Tool struct {
				Driver struct {
					Rules []struct {
						ID   string
						Help struct{ Text string }
					}
				}
			}
			Results []struct {
				RuleID    string
				Level     string
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct{ URI string }
						Region           struct{ StartLine int }
					}
				}
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &log); err != nil {
		t.Fatal(err)
	}
	run := log.Runs[0]
	if len(run.Tool.Driver.Rules) < 7 || run.Tool.Driver.Rules[0].Help.Text == "" {
		t.Errorf("rules with help text: %+v", run.Tool.Driver.Rules)
	}
	if len(run.Results) != 2 {
		t.Fatalf("%d results", len(run.Results))
	}
	for _, res := range run.Results {
		loc := res.Locations[0].PhysicalLocation
		if res.RuleID != "GKE-005" || res.Level != "error" || loc.ArtifactLocation.URI != baseSources+"/modules/region/main.tf" || loc.Region.StartLine != 45 {
			t.Errorf("result %+v", res)
		}
	}
}

func TestJUnitParses(t *testing.T) {
	r := guard(t, "check", "--format", "junit", "--source", baseSources, "testdata/plans/base-legacy-abac.json")
	if r.code != 1 {
		t.Fatalf("exit %d", r.code)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Cases []struct {
				Name    string `xml:"name,attr"`
				File    string `xml:"file,attr"`
				Failure *struct {
					Message string `xml:"message,attr"`
				} `xml:"failure"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(r.stdout), &suites); err != nil {
		t.Fatalf("JUnit does not parse: %v\n%s", err, r.stdout)
	}
	failures := 0
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			if c.Failure != nil {
				failures++
				if c.File != baseSources+"/modules/region/main.tf" || !strings.Contains(c.Failure.Message, "legacy ABAC") {
					t.Errorf("failing case %+v", c)
				}
			}
		}
	}
	if failures != 2 || suites.Failures != 2 || suites.Tests < 8 {
		t.Errorf("tests %d failures %d (counted %d)", suites.Tests, suites.Failures, failures)
	}
}

func TestGitHubAnnotations(t *testing.T) {
	r := guard(t, "check", "--format", "github", "--source", baseSources, "testdata/plans/base-editor-role.json")
	want := "::error file=" + baseSources + "/main.tf,line=24,title=IAM-001 (HIGH)::"
	if r.code != 1 || !strings.Contains(r.stdout, want) {
		t.Errorf("exit %d, want %q in\n%s", r.code, want, r.stdout)
	}
}

// Two runs on the same input give byte-identical output in every format.
func TestDeterministicOutput(t *testing.T) {
	dir := t.TempDir()
	for _, format := range []string{"text", "json", "sarif", "junit", "github", "html"} {
		var outputs []string
		for i := 0; i < 2; i++ {
			file := filepath.Join(dir, fmt.Sprintf("%s-%d", format, i))
			r := guard(t, "check", "--format", format, "--output", file, "--source", baseSources,
				"testdata/plans/base-no-netpol.json", "testdata/plans/base-open-authorized-networks.json", "testdata/reference/app", "testdata/manifests")
			if r.code != 1 {
				t.Fatalf("%s: exit %d %s", format, r.code, r.stderr)
			}
			data, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			if len(data) == 0 {
				t.Fatalf("%s: empty output", format)
			}
			outputs = append(outputs, string(data))
		}
		if outputs[0] != outputs[1] {
			t.Errorf("%s output differs between two runs", format)
		}
	}
}

// guard makes no network connection: in a network namespace with no
// interface up, it behaves exactly the same.
func TestNoNetwork(t *testing.T) {
	if _, err := exec.LookPath("unshare"); err != nil {
		t.Skip("unshare not installed")
	}
	if probe := run(t, exec.Command("unshare", "-n", "true")); probe.code != 0 {
		t.Skipf("cannot create a network namespace here (needs root): %s", probe.stderr)
	}
	for _, args := range [][]string{
		{"check", "--format", "json", "--source", baseSources, "testdata/plans/base-public-endpoint-secondary.json", "testdata/reference/app"},
		{"check", "--source", "testdata/reference/app", "testdata/plans/app.json"},
		{"inspect", "testdata/reference"},
	} {
		online := guard(t, args...)
		offline := run(t, exec.Command("unshare", append([]string{"-n", guardBin}, args...)...))
		if online != offline {
			t.Errorf("guard %v behaves differently without a network:\nonline %d %q\noffline %d %q", args, online.code, online.stderr, offline.code, offline.stderr)
		}
	}
}

func TestInspectPoliciesVersion(t *testing.T) {
	r := guard(t, "inspect", "testdata/reference/app")
	var in struct {
		Terraform struct {
			Resources []struct{ Address, Provider string }
		}
		Kubernetes struct {
			Objects []struct {
				ID      string
				Release struct{ Region string }
			}
		}
	}
	if r.code != 0 || json.Unmarshal([]byte(r.stdout), &in) != nil {
		t.Fatalf("inspect: exit %d\n%s", r.code, r.stderr)
	}
	if len(in.Terraform.Resources) != 2 || len(in.Kubernetes.Objects) != 12 || in.Kubernetes.Objects[0].Release.Region != "primary" {
		t.Errorf("inspect: %+v", in)
	}
	p := guard(t, "policies")
	found := false
	for _, line := range strings.Split(p.stdout, "\n") {
		if strings.Join(strings.Fields(line), " ") == "GKE-002 rego HIGH - - GKE control plane has no public endpoint CIS GKE Benchmark v1.6.0 5.6.4" {
			found = true
		}
	}
	if p.code != 0 || !found {
		t.Errorf("policies:\n%s", p.stdout)
	}
	// Each policy's profile and parameters, as .guard.yaml sets them.
	if !strings.Contains(p.stdout, "two-region-gke") || !strings.Contains(p.stdout, "trustedRegistries, systemNamespaces") {
		t.Errorf("policies without profiles or parameters:\n%s", p.stdout)
	}
	pj := guard(t, "policies", "--format", "json")
	var listed []struct {
		ID         string
		Profile    string
		Parameters []struct {
			Name           string
			Value, Default any
			Set            bool
		}
	}
	if err := json.Unmarshal([]byte(pj.stdout), &listed); err != nil {
		t.Fatal(err)
	}
	for _, l := range listed {
		if l.ID != "K8S-002" {
			continue
		}
		if len(l.Parameters) != 2 || l.Parameters[0].Name != "trustedRegistries" || !l.Parameters[0].Set ||
			fmt.Sprint(l.Parameters[0].Value) != "[europe-docker.pkg.dev/acme-platform-prod/prod-images/]" || fmt.Sprint(l.Parameters[0].Default) != "[]" {
			t.Errorf("K8S-002's parameters in guard policies --format json: %+v", l.Parameters)
		}
	}
	v := guard(t, "version")
	if v.code != 0 || !strings.HasPrefix(v.stdout, "guard ") || !strings.Contains(v.stdout, "open-policy-agent/opa v1.20.0") {
		t.Errorf("version:\n%s", v.stdout)
	}
}

func TestGuardTest(t *testing.T) {
	r := guard(t, "test")
	if r.code != 0 || !strings.Contains(r.stdout, " passed, 0 failed") {
		t.Fatalf("guard test on policies/: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"PASS    rego", "PASS    kyverno  policies/kyverno/restricted-pod-security/kyverno-test.yaml"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("guard test output lacks %q", want)
		}
	}
	failing := guard(t, "test", "--format", "junit", "testdata/policytests/failing")
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if failing.code != 1 || xml.Unmarshal([]byte(failing.stdout), &suites) != nil || suites.Failures != 2 || suites.Tests != 2 {
		t.Errorf("a failing Rego test and a failing Kyverno suite: exit %d, %+v\n%s", failing.code, suites, failing.stdout)
	}
	broken := guard(t, "test", "testdata/policytests/broken")
	if broken.code != 2 || !strings.Contains(broken.stderr, "testdata/policytests/broken/no-such-policy.yaml: no such file or directory") {
		t.Errorf("a broken suite: exit %d %s", broken.code, broken.stderr)
	}
}

type policyInfo struct {
	ID, Engine, Severity, Title, Remediation, Profile string
	Controls, Peers                                   []string
	Parameters                                        []struct{ Name string }
}

// policiesAndDocs are `guard policies` and docs/policies.md.
func policiesAndDocs(t *testing.T) ([]policyInfo, []byte) {
	t.Helper()
	r := guard(t, "policies", "--format", "json")
	var policies []policyInfo
	if err := json.Unmarshal([]byte(r.stdout), &policies); err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, "docs/policies.md"))
	if err != nil {
		t.Fatal(err)
	}
	return policies, doc
}

// docs/policies.md's CIS GKE coverage table agrees with the policies: each
// policy it names cites the control, and every CIS GKE v1.6.0 control a policy
// cites is in the table (as a row or among the manual controls below it).
func TestCISCoverageInSync(t *testing.T) {
	policies, doc := policiesAndDocs(t)
	_, coverage, found := strings.Cut(string(doc), "\n## CIS GKE Benchmark v1.6.0 coverage")
	if !found {
		t.Fatal("docs/policies.md has no CIS GKE Benchmark v1.6.0 coverage section")
	}
	const prefix = "CIS GKE Benchmark v1.6.0 "
	cites := map[string]map[string]bool{} // policy -> controls
	for _, p := range policies {
		cites[p.ID] = map[string]bool{}
		for _, c := range p.Controls {
			if strings.HasPrefix(c, prefix) {
				cites[p.ID][strings.TrimPrefix(c, prefix)] = true
			}
		}
	}
	rows := 0
	for _, line := range strings.Split(coverage, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 5 || !strings.HasPrefix(strings.TrimSpace(cells[1]), "4.") && !strings.HasPrefix(strings.TrimSpace(cells[1]), "5.") {
			continue
		}
		rows++
		control := strings.TrimSpace(cells[1])
		for _, id := range strings.Split(cells[3], ",") {
			if id = strings.TrimSpace(id); id != "-" && !cites[id][control] {
				t.Errorf("coverage row %s names %s, which does not cite it", control, id)
			}
		}
	}
	if rows < 30 {
		t.Errorf("the coverage table has %d rows", rows)
	}
	for id, controls := range cites {
		for c := range controls {
			if !strings.Contains(coverage, "| "+c+" |") && !strings.Contains(coverage, c+" (") {
				t.Errorf("%s cites CIS GKE %s, which the coverage table does not list", id, c)
			}
		}
	}
}

// docs/policies.md lists exactly the loaded policies, with their metadata.
func TestPolicyDocsInSync(t *testing.T) {
	policies, doc := policiesAndDocs(t)
	rows := map[string]string{}
	policyTable, _, _ := strings.Cut(string(doc), "\n## ")
	for _, line := range strings.Split(policyTable, "\n") {
		if strings.HasPrefix(line, "| ") && !strings.HasPrefix(line, "| ID ") {
			id := strings.TrimSpace(strings.Split(line, "|")[1])
			rows[id] = line
		}
	}
	escape := strings.NewReplacer("|", `\|`).Replace
	for _, p := range policies {
		var params []string
		for _, x := range p.Parameters {
			params = append(params, x.Name)
		}
		want := fmt.Sprintf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |", p.ID, p.Engine, p.Severity, p.Profile, strings.Join(params, ", "), strings.Join(p.Controls, "; "), strings.Join(p.Peers, ", "), escape(p.Title), escape(p.Remediation))
		if rows[p.ID] != want {
			t.Errorf("docs/policies.md row for %s:\n got %s\nwant %s", p.ID, rows[p.ID], want)
		}
		delete(rows, p.ID)
	}
	for id := range rows {
		t.Errorf("docs/policies.md lists %s, which guard does not load", id)
	}
	if len(policies) < 36 {
		t.Errorf("%d policies", len(policies))
	}
}

// The pod policies fail closed: each selects every namespace but the
// reviewed system namespaces that docs/policies.md lists with the reason.
func TestPodPoliciesShareTheReviewedSystemNamespaces(t *testing.T) {
	_, doc := policiesAndDocs(t)
	_, section, found := strings.Cut(string(doc), "\n## Where the pod policies apply")
	if !found {
		t.Fatal("docs/policies.md has no section on where the pod policies apply")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	var reviewed []string
	for _, line := range strings.Split(section, "\n") {
		if cells := strings.Split(line, "|"); len(cells) > 3 && !strings.Contains(line, "---") && !strings.Contains(line, "| Namespace |") {
			reviewed = append(reviewed, strings.Split(strings.TrimSpace(cells[1]), ", ")...)
		}
	}
	slices.Sort(reviewed)
	files, err := filepath.Glob(filepath.Join(root, "policies/kyverno/*/policy.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	podPolicies := 0
	for _, f := range files {
		var p struct {
			Metadata struct{ Name string }
			Spec     struct {
				MatchConstraints struct {
					ResourceRules     []struct{ Resources []string }
					NamespaceSelector struct {
						MatchLabels      map[string]string
						MatchExpressions []struct {
							Key, Operator string
							Values        []string
						}
					}
				}
			}
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(data, &p); err != nil {
			t.Fatal(err)
		}
		mc := p.Spec.MatchConstraints
		if len(mc.ResourceRules) == 0 || !slices.Contains(mc.ResourceRules[0].Resources, "pods") {
			continue
		}
		podPolicies++
		sel := mc.NamespaceSelector
		if p.Metadata.Name == "disallow-default-namespace" {
			if len(sel.MatchLabels) != 1 || sel.MatchLabels["kubernetes.io/metadata.name"] != "default" {
				t.Errorf("%s: selects %+v, want the default namespace", f, sel)
			}
			continue
		}
		if len(sel.MatchLabels) != 0 || len(sel.MatchExpressions) != 1 {
			t.Errorf("%s: namespaceSelector %+v, want one NotIn on kubernetes.io/metadata.name", f, sel)
			continue
		}
		e := sel.MatchExpressions[0]
		got := slices.Sorted(slices.Values(e.Values))
		if e.Key != "kubernetes.io/metadata.name" || e.Operator != "NotIn" || !slices.Equal(got, reviewed) {
			t.Errorf("%s: namespaceSelector %s %s %v, want kubernetes.io/metadata.name NotIn %v (docs/policies.md)", f, e.Key, e.Operator, got, reviewed)
		}
	}
	// The list is the systemNamespaces parameter's default (the files carry
	// the defaults, the chart puts a release's value in their place), and
	// the Rego policies about workloads and bindings read the parameter.
	values, err := os.ReadFile(filepath.Join(root, "policies/values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var defaults struct {
		SystemNamespaces []string `json:"systemNamespaces"`
	}
	if err := yaml.Unmarshal(values, &defaults); err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(slices.Values(defaults.SystemNamespaces)); !slices.Equal(got, reviewed) {
		t.Errorf("policies/values.yaml systemNamespaces %v, want %v (docs/policies.md)", got, reviewed)
	}
	lib, err := os.ReadFile(filepath.Join(root, "policies/rego/lib/kubernetes.rego"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(lib), "\nsystem_namespaces := {ns | some ns in data.guard.parameters.systemNamespaces}") {
		t.Error("policies/rego/lib/kubernetes.rego: system_namespaces is not the systemNamespaces parameter")
	}
	if podPolicies < 6 || len(reviewed) < 5 {
		t.Errorf("%d pod policies, %d reviewed namespaces", podPolicies, len(reviewed))
	}
}

// One source of truth: the base stack installs exactly the Kyverno policy
// files guard checks, in both clusters.
func TestStackInstallsThePolicyFiles(t *testing.T) {
	r := guard(t, "inspect", "stacks/base")
	var in struct {
		Kubernetes struct {
			Objects []struct {
				Object struct {
					Kind     string
					Metadata struct{ Name string }
				}
				Release struct{ Region string }
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &in); err != nil {
		t.Fatal(err)
	}
	installed := map[string]int{}
	for _, o := range in.Kubernetes.Objects {
		if o.Object.Kind == "ValidatingPolicy" {
			installed[o.Object.Metadata.Name]++
		}
	}
	files, _ := filepath.Glob(filepath.Join(root, "policies/kyverno/*/policy.yaml"))
	if len(files) == 0 || len(installed) != len(files) {
		t.Errorf("%d policy files, %d installed: %v", len(files), len(installed), installed)
	}
	for name, n := range installed {
		if n != 2 {
			t.Errorf("%s installed in %d clusters, want both", name, n)
		}
	}
	// The clusters' profiles (the parameters file the stack installs the
	// chart with) are the ones this repository's .guard.yaml checks with.
	var config, params struct {
		Profiles   []string `json:"profiles"`
		Parameters string   `json:"parameters"`
	}
	for _, f := range []struct {
		path string
		into any
	}{{".guard.yaml", &config}, {"platform/parameters.yaml", &params}} {
		data, err := os.ReadFile(filepath.Join(root, f.path))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(data, f.into); err != nil {
			t.Fatalf("%s: %v", f.path, err)
		}
	}
	if config.Parameters != "platform/parameters.yaml" || len(config.Profiles) == 0 || !slices.Equal(config.Profiles, params.Profiles) {
		t.Errorf(".guard.yaml profiles %v (parameters %s), platform/parameters.yaml profiles %v: want the same, and that file", config.Profiles, config.Parameters, params.Profiles)
	}
}

// guard test and the upstream `kyverno test` (built at the same version by
// scripts/tools.sh) agree result for result on policies/kyverno: every result
// kyverno compares ("Ok" rows) is a guard case with the same outcome, and
// every pass or fail case of guard is one kyverno compared.
func TestKyvernoTestParity(t *testing.T) {
	cli := os.Getenv("GUARD_KYVERNO_CLI")
	if cli == "" {
		t.Skip("GUARD_KYVERNO_CLI is not set (scripts/test.sh builds the Kyverno CLI and sets it)")
	}
	for _, dir := range []string{"policies/kyverno", "platform/exceptions", "testdata/kyverno/legacy"} {
		t.Run(dir, func(t *testing.T) { kyvernoParity(t, cli, dir) })
	}
}

func kyvernoParity(t *testing.T, cli, dir string) {
	upstream := run(t, exec.Command(cli, "test", dir, "--output-format", "json", "--remove-color"))
	if upstream.code != 0 {
		t.Fatalf("kyverno test: exit %d\n%s", upstream.code, upstream.stderr)
	}
	var rows []struct{ POLICY, RESOURCE, RESULT, REASON string }
	for _, chunk := range strings.Split(upstream.stdout, "\n[\n")[1:] {
		var part []struct{ POLICY, RESOURCE, RESULT, REASON string }
		end := strings.Index(chunk, "\n]")
		if err := json.Unmarshal([]byte("[\n"+chunk[:end+2]), &part); err != nil {
			t.Fatalf("kyverno test output: %v", err)
		}
		rows = append(rows, part...)
	}
	kyverno := map[string]bool{}
	for _, r := range rows {
		if r.REASON != "Ok" {
			continue // "Excluded": kyverno's row for a kind the policy does not match
		}
		parts := strings.Split(r.RESOURCE, "/")
		key := r.POLICY + " " + strings.Join(parts[len(parts)-3:], "/")
		kyverno[key] = r.RESULT == "Pass"
	}
	ours := guard(t, "test", "--format", "json", dir)
	var got struct {
		Cases []struct {
			Name, Want string
			Passed     bool
		}
	}
	if err := json.Unmarshal([]byte(ours.stdout), &got); err != nil {
		t.Fatal(err)
	}
	guardCases := map[string]bool{}
	compared := map[string]bool{} // pass and fail expectations: kyverno compares those
	for _, c := range got.Cases {
		guardCases[c.Name] = c.Passed
		compared[c.Name] = c.Want != "skip"
	}
	if len(kyverno) < 3 || dir == "policies/kyverno" && len(kyverno) < 40 {
		t.Fatalf("only %d results compared by kyverno test", len(kyverno))
	}
	for key, passed := range kyverno {
		g, ok := guardCases[key]
		if !ok || g != passed {
			t.Errorf("%s: kyverno test passed=%v, guard test passed=%v (present %v)", key, passed, g, ok)
		}
	}
	for key := range guardCases {
		if _, ok := kyverno[key]; !ok && compared[key] {
			t.Errorf("%s: guard test checked it, kyverno test did not compare it", key)
		}
	}
}

// A PolicyException in the Kyverno format excepts a Rego finding too.
func TestRegoFindingExcepted(t *testing.T) {
	r := guard(t, append([]string{"check", "--format", "json", "--policy", "policies", "--policy", "testdata/kyverno/rego-exceptions",
		"--source", baseSources, "testdata/plans/base-legacy-abac.json"}, skipKMS...)...)
	var rep struct {
		Findings []struct {
			Policy, Resource, Message string
			Waived                    bool
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	waived := map[string]bool{}
	for _, f := range rep.Findings {
		waived[f.Resource] = f.Waived
	}
	if r.code != 1 || len(rep.Findings) != 2 || !waived[`module.region["secondary"].google_container_cluster.this`] || waived[`module.region["primary"].google_container_cluster.this`] {
		t.Errorf("exit %d: %+v", r.code, rep.Findings)
	}
	if sarif := guard(t, "check", "--format", "sarif", "--policy", "policies", "--policy", "testdata/kyverno/rego-exceptions",
		"--source", baseSources, "testdata/plans/base-legacy-abac.json"); !strings.Contains(sarif.stdout, `"kind": "external"`) {
		t.Errorf("a waived finding is a suppressed SARIF result")
	}
}

// predatesSecretsFix is what guard finds in the real base plan only because
// it was planned (at be48aa1) before the base stack stopped pointing
// Grafana at a grafana-admin Secret nothing creates (STK-006): both
// monitoring releases. A plan made again from today's stacks
// (../shared/stack-plans/README.md) has neither, and TestRealStackPlans then
// fails until this goes.
func predatesSecretsFix(policy, resource string) bool {
	// The resource carries its stack's name when the check has two stacks.
	resource = strings.TrimPrefix(resource, "base:")
	return policy == "STK-006" && (resource == "helm_release.monitoring_primary" || resource == "helm_release.monitoring_secondary")
}

// predatesSecretsEncryption is what guard finds in the real base plan only
// because it was planned before the base stack encrypted its clusters'
// Secrets with Cloud KMS keys (GKE-020): database_encryption, which the plan
// does not set, is planned as known only after apply, a warning for each
// cluster. A plan of today's stacks names the key.
func predatesSecretsEncryption(policy, level string) bool {
	return policy == "GKE-020" && level == "warn"
}

// The real plans of the project's own stacks (testdata/stack-plans, made by
// OpenTofu with the real providers) pass alone and together, but for the
// findings predatesSecretsFix names; each plan is located in the stack it
// was planned from.
func TestRealStackPlans(t *testing.T) {
	for _, args := range [][]string{
		{"check", "--source", "stacks/base", "testdata/stack-plans/base.json"},
		{"check", "--source", "stacks/app", "testdata/stack-plans/app.json"},
		{"check", "--source", "stacks/base", "--source", "stacks/app", "testdata/stack-plans/base.json", "testdata/stack-plans/app.json"},
		{"check", "--source", "stacks/app", "--source", "stacks/base", "testdata/stack-plans/app.json", "testdata/stack-plans/base.json"},
	} {
		r := guard(t, append(args, "--format", "json")...)
		var rep struct {
			Findings []struct{ Policy, Resource, Level string }
		}
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("guard %v: exit %d: %v\n%s", args, r.code, err, r.stderr)
		}
		stale := 0
		for _, f := range rep.Findings {
			if predatesSecretsFix(f.Policy, f.Resource) {
				stale++
			} else if f.Level == "deny" {
				t.Errorf("guard %v: %+v", args, f)
			}
		}
		wantStale, wantCode := 0, 0
		if slices.Contains(args, "testdata/stack-plans/base.json") {
			wantStale, wantCode = 2, 1
		}
		if stale != wantStale || r.code != wantCode {
			t.Errorf("guard %v: exit %d, %d findings of the plan's age; want exit %d, %d", args, r.code, stale, wantCode, wantStale)
		}
	}
	in := guard(t, "inspect", "--source", "stacks/base", "--source", "stacks/app", "testdata/stack-plans/base.json", "testdata/stack-plans/app.json")
	var doc struct {
		Terraform struct {
			Resources []struct {
				Address, Stack string
				Source         struct{ File string }
			}
		}
	}
	if err := json.Unmarshal([]byte(in.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range doc.Terraform.Resources {
		if !strings.HasPrefix(r.Source.File, "stacks/"+r.Stack+"/") {
			t.Errorf("%s (stack %s) located at %s", r.Address, r.Stack, r.Source.File)
		}
	}
}

// One change to a real plan is caught by the policy it breaks, alone, at
// the .tf block (or chart template) it comes from, in its own stack, when
// both stacks' plans are checked together.
func TestRealStackPlanViolations(t *testing.T) {
	dir := t.TempDir()
	mutate := func(name string, fn func(rc map[string]any)) string {
		data, err := os.ReadFile(filepath.Join(root, "testdata/stack-plans", name))
		if err != nil {
			t.Fatal(err)
		}
		var p map[string]any
		if err := json.Unmarshal(data, &p); err != nil {
			t.Fatal(err)
		}
		for _, rc := range p["resource_changes"].([]any) {
			fn(rc.(map[string]any))
		}
		out, _ := json.Marshal(p)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, out, 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	after := func(rc map[string]any) map[string]any { return rc["change"].(map[string]any)["after"].(map[string]any) }
	legacyABAC := mutate("base.json", func(rc map[string]any) {
		if rc["address"] == `module.region["secondary"].google_container_cluster.this` {
			after(rc)["enable_legacy_abac"] = true
		}
	})
	wrongWAF := mutate("app.json", func(rc map[string]any) {
		if rc["address"] == "helm_release.app_primary" {
			values := after(rc)["values"].([]any)
			values[0] = strings.Replace(values[0].(string), "policyName: prod-primary-app-waf", "policyName: prod-primary-app-waf-old", 1)
		}
	})
	for _, tt := range []struct {
		name, base, app, policy, location, resource string
	}{
		{"legacy ABAC in the secondary cluster", legacyABAC, "testdata/stack-plans/app.json", "GKE-004", "stacks/base/modules/region/main.tf:74", `base:module.region["secondary"].google_container_cluster.this`},
		{"the primary region's backends name a Cloud Armor policy the base stack does not create", "testdata/stack-plans/base.json", wrongWAF, "STK-005", "charts/app/templates/gcpbackendpolicy.yaml:3", "app:helm_release.app_primary:GCPBackendPolicy/platform-app/app"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := guard(t, "check", "--format", "json", "--source", "stacks/app", "--source", "stacks/base", tt.app, tt.base)
			if r.code != 1 {
				t.Fatalf("exit %d, want 1\n%s%s", r.code, r.stdout, r.stderr)
			}
			var rep struct {
				Findings []struct {
					Policy, File, Resource, Level string
					Line                          int
				}
			}
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatal(err)
			}
			rep.Findings = slices.DeleteFunc(rep.Findings, func(f struct {
				Policy, File, Resource, Level string
				Line                          int
			}) bool {
				return predatesSecretsFix(f.Policy, f.Resource) || predatesSecretsEncryption(f.Policy, f.Level)
			})
			if len(rep.Findings) != 1 {
				t.Fatalf("findings %+v, want one %s", rep.Findings, tt.policy)
			}
			f := rep.Findings[0]
			if f.Policy != tt.policy || fmt.Sprintf("%s:%d", f.File, f.Line) != tt.location || f.Resource != tt.resource {
				t.Errorf("finding %+v, want %s at %s on %s", f, tt.policy, tt.location, tt.resource)
			}
		})
	}
}

// A plan carries sensitive values in clear: the provider's access token in
// prior_state, a sensitive attribute in `after`. No report format and not
// `guard inspect` may print them, even when a policy quotes the value.
func TestSensitiveValuesNeverPrinted(t *testing.T) {
	const secret = "s3cr3t-t0ken-value"
	data, err := os.ReadFile(filepath.Join(root, "testdata/stack-plans/app.json"))
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), `"access_token":"fake"`, `"access_token":"`+secret+`"`, 1)
	var p map[string]any
	if err := json.Unmarshal([]byte(text), &p); err != nil {
		t.Fatal(err)
	}
	for _, rc := range p["resource_changes"].([]any) {
		ch := rc.(map[string]any)["change"].(map[string]any)
		ch["after"].(map[string]any)["description"] = secret
		ch["after_sensitive"] = map[string]any{"description": true}
	}
	out, _ := json.Marshal(p)
	dir := t.TempDir()
	plan := filepath.Join(dir, "app.json")
	if err := os.WriteFile(plan, out, 0o644); err != nil {
		t.Fatal(err)
	}
	// A policy that quotes the attribute in its message.
	policyDir := filepath.Join(dir, "policies")
	os.MkdirAll(policyDir, 0o755)
	os.WriteFile(filepath.Join(policyDir, "quote.rego"), []byte(`# METADATA
# title: Quotes a value
# custom:
#   id: TEST-001
#   severity: HIGH
package quote

deny contains {"msg": sprintf("description is %s", [r.values.description]), "resource": r.id} if {
	some r in input.terraform.resources
	r.values.description
}
`), 0o644)
	for _, format := range []string{"text", "json", "sarif", "junit", "github", "html"} {
		r := guard(t, "check", "--policy", policyDir, "--format", format, "--source", "stacks/app", plan)
		if r.code != 1 {
			t.Errorf("%s: exit %d, want 1 (the policy fires)\n%s", format, r.code, r.stderr)
		}
		if strings.Contains(r.stdout+r.stderr, secret) {
			t.Errorf("%s output contains the secret", format)
		}
		if !strings.Contains(r.stdout, "(sensitive value)") {
			t.Errorf("%s output does not say where the value was", format)
		}
	}
	in := guard(t, "inspect", "--policy", policyDir, "--source", "stacks/app", plan)
	if in.code != 0 || strings.Contains(in.stdout, secret) || strings.Contains(in.stdout, "fake") {
		t.Errorf("inspect: exit %d, secret printed: %v", in.code, strings.Contains(in.stdout, secret))
	}
}

// Override files merge into the blocks they name, as Terraform merges them:
// the backend override used to plan offline is no error, an override of an
// attribute changes it, and findings stay at the primary block.
func TestOverrideFilesMerge(t *testing.T) {
	dir := t.TempDir()
	cp := exec.Command("cp", "-r", filepath.Join(root, "stacks"), filepath.Join(root, "charts"), filepath.Join(root, "policies"), filepath.Join(root, "platform"), dir)
	if out, err := cp.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	base := filepath.Join(dir, "stacks/base")
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(base, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("backend_override.tf", "terraform {\n  backend \"local\" {}\n}\n")
	r := guard(t, "check", "--policy", filepath.Join(root, "policies"), "--policy", filepath.Join(root, "platform"), base)
	if r.code != 0 {
		t.Fatalf("with the backend override: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	write("abac_override.tf", "# A test override.\nresource \"google_container_cluster\" \"this\" {\n  enable_legacy_abac = true\n}\n")
	if r := guard(t, "check", "--policy", filepath.Join(root, "policies"), "--policy", filepath.Join(root, "platform"), base); r.code != 2 || !strings.Contains(r.stderr, "abac_override.tf:2: Missing resource to override") {
		t.Errorf("an override of a block the root module does not declare: exit %d %s", r.code, r.stderr)
	}
	os.Remove(filepath.Join(base, "abac_override.tf"))
	if err := os.WriteFile(filepath.Join(base, "modules/region/abac_override.tf"), []byte("resource \"google_container_cluster\" \"this\" {\n  enable_legacy_abac = true\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r = guard(t, "check", "--format", "json", "--policy", filepath.Join(root, "policies"), "--policy", filepath.Join(root, "platform"), base)
	var rep struct {
		Findings []struct {
			Policy, File string
			Waived       bool
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("exit %d: %v\n%s", r.code, err, r.stderr)
	}
	// (node-exporter's privileged namespace is waived by its exception.)
	rep.Findings = slices.DeleteFunc(rep.Findings, func(f struct {
		Policy, File string
		Waived       bool
	}) bool {
		return f.Waived
	})
	for _, f := range rep.Findings {
		if f.Policy != "GKE-004" || !strings.HasSuffix(f.File, "stacks/base/modules/region/main.tf") {
			t.Errorf("finding %+v: want GKE-004 at the primary block in main.tf", f)
		}
	}
	if r.code != 1 || len(rep.Findings) != 2 {
		t.Errorf("exit %d, %d findings; want GKE-004 in both regions", r.code, len(rep.Findings))
	}
}

// kyvernoModule is the directory of Kyverno's Go module (its test/cli suites
// are real inputs nobody here wrote).
func kyvernoModule(t *testing.T) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/kyverno/kyverno").Output()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(out))
}

// Policies guard does not evaluate (Kyverno's own mutate suites) are
// skipped with the reason, fail with --strict, and are noted by check.
func TestUnevaluatedPoliciesSkipped(t *testing.T) {
	cli := filepath.Join(kyvernoModule(t), "test/cli")
	for _, suite := range []string{"test-mutating-policy", "test-mutate", "test/mixed", "test-deleting-policy"} {
		r := guard(t, "test", filepath.Join(cli, suite))
		if r.code != 0 || !strings.Contains(r.stdout, "skipped (what guard does not evaluate") {
			t.Errorf("%s: exit %d\n%s%s", suite, r.code, r.stdout, r.stderr)
		}
		if strict := guard(t, "test", "--strict", filepath.Join(cli, suite)); strict.code != 1 {
			t.Errorf("%s --strict: exit %d, want 1", suite, strict.code)
		}
	}
	r := guard(t, "check", "--policy", filepath.Join(cli, "test-mutating-policy"), "--policy", "policies", "testdata/manifests/multi.yaml")
	if !strings.Contains(r.stderr, "is not evaluated: it mutates objects; guard evaluates validation") {
		t.Errorf("guard check does not note the MutatingPolicy: exit %d\n%s", r.code, r.stderr)
	}
}
