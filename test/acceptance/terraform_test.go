package acceptance

import (
	"encoding/json"
	"os/exec"
	"strings"
	"testing"

	"github.com/acme/guard/internal/testtree"
)

// cmdIn is guard run in dir, as a user there would.
func cmdIn(dir string, args ...string) *exec.Cmd {
	cmd := exec.Command(guardBin, args...)
	cmd.Dir = dir
	return cmd
}

// A directory holding main.tf and, below it, a privileged pod running
// nginx:latest: the pod is read and fails (it was a silent pass).
func TestManifestsBelowTerraformAreChecked(t *testing.T) {
	dir := testtree.Write(t, map[string]string{
		"main.tf": "resource \"google_storage_bucket\" \"b\" {\n  name     = \"b\"\n  location = \"EU\"\n}\n",
		"sub/pod.yaml": `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: web
spec:
  containers:
    - name: nginx
      image: nginx:latest
      securityContext:
        privileged: true
`,
	})
	cmd := cmdIn(dir, "check")
	r := run(t, cmd)
	if r.code != 1 || !strings.Contains(r.stdout, "sub/pod.yaml:1  K8S-001") || !strings.Contains(r.stdout, "1 resource and 1 object") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// for_each over a root variable nobody set: the resource is checked once,
// for every instance, and a roles/editor grant fails IAM-001; no error.
func TestForEachOverUnsetVariableIsChecked(t *testing.T) {
	dir := testtree.Write(t, map[string]string{"main.tf": `variable "users" {
  type = set(string)
}
resource "google_project_iam_member" "editors" {
  for_each = var.users
  project  = "p"
  role     = "roles/editor"
  member   = "user:${each.value}"
}
`})
	r := run(t, cmdIn(dir, "check"))
	if r.code != 1 || !strings.Contains(r.stdout, "main.tf:4  IAM-001") || !strings.Contains(r.stdout, "google_project_iam_member.editors[*]") {
		t.Errorf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, note := range []string{"var.users is not set and it has no default", "--var users=", "checked once, for every instance"} {
		if !strings.Contains(r.stderr, note) {
			t.Errorf("stderr lacks %q:\n%s", note, r.stderr)
		}
	}
}

// A root guard cannot read does not hide the others: its error is reported
// in every format, the other root's findings too, and the run exits 2.
func TestUnreadableRootDoesNotHideTheOthers(t *testing.T) {
	dir := testtree.Write(t, map[string]string{
		"good/main.tf": `resource "google_project_iam_member" "editor" {
  project = "p"
  role    = "roles/editor"
  member  = "user:a@example.com"
}
`,
		"broken/main.tf": "resource \"google_storage_bucket\" \"b\" {\n  name = \n}\n",
		"partial/main.tf": `module "gke" {
  source = "terraform-google-modules/kubernetes-engine/google"
}
resource "google_project_iam_member" "owner" {
  project = "p"
  role    = "roles/owner"
  member  = "user:b@example.com"
}
`,
	})
	r := run(t, cmdIn(dir, "check"))
	if r.code != 2 {
		t.Fatalf("exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, want := range []string{"good/main.tf:1  IAM-001", "partial/main.tf:4  IAM-001", "INCOMPLETE: 2 inputs could not be read"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("stdout lacks %q:\n%s", want, r.stdout)
		}
	}
	for _, want := range []string{"guard: broken/main.tf:2:", "guard: partial/main.tf:2: Module not installed", "terraform init"} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, r.stderr)
		}
	}
	var report struct {
		Errors   []string `json:"errors"`
		Findings []struct {
			PolicyID string `json:"policy"`
		} `json:"findings"`
	}
	r = run(t, cmdIn(dir, "check", "--format", "json"))
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil || r.code != 2 || len(report.Errors) != 2 || len(report.Findings) < 2 {
		t.Errorf("json: exit %d, %v, %+v\n%s", r.code, err, report, r.stdout)
	}
	r = run(t, cmdIn(dir, "check", "--format", "junit"))
	if r.code != 2 || !strings.Contains(r.stdout, `<testsuite name="guard.inputs" tests="2" failures="0" errors="2"`) || strings.Count(r.stdout, `<error message="`) != 2 {
		t.Errorf("junit: exit %d\n%s", r.code, r.stdout)
	}
	r = run(t, cmdIn(dir, "check", "--format", "github"))
	if r.code != 2 || strings.Count(r.stdout, "::error title=guard (input not read)::") != 2 {
		t.Errorf("github: exit %d\n%s", r.code, r.stdout)
	}
	var sarif struct {
		Runs []struct {
			Results     []any `json:"results"`
			Invocations []struct {
				ExecutionSuccessful        bool  `json:"executionSuccessful"`
				ToolExecutionNotifications []any `json:"toolExecutionNotifications"`
			} `json:"invocations"`
		} `json:"runs"`
	}
	r = run(t, cmdIn(dir, "check", "--format", "sarif"))
	validateSARIF(t, r.stdout)
	if err := json.Unmarshal([]byte(r.stdout), &sarif); err != nil || r.code != 2 || len(sarif.Runs) != 1 ||
		len(sarif.Runs[0].Invocations) != 1 || sarif.Runs[0].Invocations[0].ExecutionSuccessful || len(sarif.Runs[0].Invocations[0].ToolExecutionNotifications) != 2 || len(sarif.Runs[0].Results) < 2 {
		t.Errorf("sarif: exit %d, %v, %+v", r.code, err, sarif)
	}
}

// A finding in a module names the module blocks that call it, where the
// user chose the inputs: in text, JSON and SARIF, for HCL and for plans.
func TestModuleFindingsNameTheirCalls(t *testing.T) {
	dir := testtree.Write(t, map[string]string{
		"main.tf": `module "iam" {
  source = "./modules/iam"
  role   = "roles/editor"
}
`,
		"modules/iam/main.tf": `variable "role" {}
module "grant" {
  source = "../grant"
  role   = var.role
}
`,
		"modules/grant/main.tf": `variable "role" {}
resource "google_project_iam_member" "m" {
  project = "p"
  role    = var.role
  member  = "user:a@example.com"
}
`,
	})
	r := run(t, cmdIn(dir, "check"))
	if want := "via main.tf:1 module.iam, modules/iam/main.tf:2 module.grant"; r.code != 1 || !strings.Contains(r.stdout, want) {
		t.Errorf("exit %d, want %q:\n%s%s", r.code, want, r.stdout, r.stderr)
	}
	var report struct {
		Findings []struct {
			Via []struct {
				File   string `json:"file"`
				Line   int    `json:"line"`
				Module string `json:"module"`
			} `json:"via"`
		} `json:"findings"`
	}
	r = run(t, cmdIn(dir, "check", "--format", "json"))
	if err := json.Unmarshal([]byte(r.stdout), &report); err != nil || len(report.Findings) == 0 || len(report.Findings[0].Via) != 2 ||
		report.Findings[0].Via[0].Module != "module.iam" || report.Findings[0].Via[1].Line != 2 {
		t.Errorf("json: %v %+v", err, report)
	}
	r = run(t, cmdIn(dir, "check", "--format", "sarif"))
	validateSARIF(t, r.stdout)
	if !strings.Contains(r.stdout, `"relatedLocations"`) || !strings.Contains(r.stdout, `"called through module.grant"`) {
		t.Errorf("sarif lacks the calls:\n%s", r.stdout)
	}
	// A plan checked with --source names them too.
	r = guard(t, "check", "--format", "json", "--source", baseSources, "testdata/plans/base-default-sa.json")
	if !strings.Contains(r.stdout, `"module": "module.region"`) {
		t.Errorf("plan with --source: no module call named:\n%s", r.stdout)
	}
}
