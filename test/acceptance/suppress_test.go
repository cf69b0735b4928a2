package acceptance

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// multitool validates a SARIF log with Microsoft's SARIF Multitool as GitHub
// code scanning reads it (validate --rule-kind "Gh;Sarif"): no result of
// level error. scripts/test.sh installs it and sets GUARD_SARIF_MULTITOOL.
func multitool(t *testing.T, log string) {
	t.Helper()
	tool := os.Getenv("GUARD_SARIF_MULTITOOL")
	if tool == "" {
		t.Log("GUARD_SARIF_MULTITOOL is not set (scripts/test.sh installs the Multitool and sets it): not validated by it")
		return
	}
	dir := t.TempDir()
	in, out := filepath.Join(dir, "guard.sarif"), filepath.Join(dir, "validation.sarif")
	if err := os.WriteFile(in, []byte(log), 0o644); err != nil {
		t.Fatal(err)
	}
	r := run(t, exec.Command(tool, "validate", "--rule-kind", "Gh;Sarif", "--output", out, in))
	data, err := os.ReadFile(out)
	if r.code != 0 || err != nil {
		t.Fatalf("sarif-multitool: exit %d %v\n%s%s", r.code, err, r.stdout, r.stderr)
	}
	var v struct {
		Runs []struct {
			Results []struct {
				Level, RuleID string
				Message       struct{ ID string }
			}
		}
	}
	if err := json.Unmarshal(data, &v); err != nil {
		t.Fatal(err)
	}
	for _, res := range v.Runs[0].Results {
		if res.Level == "error" || res.Level == "" && strings.HasPrefix(res.Message.ID, "Error") {
			t.Errorf("sarif-multitool: %s %s\n%s", res.RuleID, res.Message.ID, r.stdout)
		}
	}
}

// publicCluster is a GKE cluster with a public endpoint (GKE-002), its
// suppression written as comment (the line above the attribute).
func publicCluster(comment string) string {
	return `resource "google_container_cluster" "c" {
  name     = "c"
  location = "europe-west1"
  private_cluster_config {
    enable_private_nodes = true
    ` + comment + `
    enable_private_endpoint = false
  }
}
`
}

// Inline suppressions (guard:ignore) where the code is: a suppressed
// public endpoint no longer fails and is reported as suppressed in JSON and
// SARIF (inSource, accepted); an expired one fails and says so; one
// without a reason is exit 2 at its file:line; one on a YAML object works;
// .guard.yaml can keep a policy central; one that covers nothing warns.
func TestInlineSuppressions(t *testing.T) {
	until := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	dir := t.TempDir()
	check := func(args ...string) result {
		return runIn(t, dir, append([]string{"check", "--only-policy", "GKE-002", "--only-policy", "K8S-007"}, args...)...)
	}
	writeFile(t, filepath.Join(dir, "main.tf"), publicCluster(`# guard:ignore GKE-002 until=`+until+` reason="public until the VPN lands (NET-12)"`))
	r := check("-f", "json", "main.tf")
	var rep struct {
		Summary  struct{ Failures, Suppressed int }
		Findings []struct {
			Policy     string
			Suppressed *struct {
				Reason, Until, File string
				Line                int
			}
		}
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("exit %d: %v\n%s", r.code, err, r.stderr)
	}
	if r.code != 0 || rep.Summary.Failures != 0 || rep.Summary.Suppressed != 1 || len(rep.Findings) != 1 || rep.Findings[0].Suppressed == nil ||
		rep.Findings[0].Suppressed.Reason != "public until the VPN lands (NET-12)" || rep.Findings[0].Suppressed.Until != until || rep.Findings[0].Suppressed.Line != 6 {
		t.Errorf("suppressed: exit %d %+v", r.code, rep)
	}
	sarif := check("-f", "sarif", "main.tf")
	validateSARIF(t, sarif.stdout)
	multitool(t, sarif.stdout)
	var log struct {
		Runs []struct {
			Results []struct {
				Suppressions []struct{ Kind, Status, Justification string }
			}
		}
	}
	if err := json.Unmarshal([]byte(sarif.stdout), &log); err != nil || sarif.code != 0 {
		t.Fatalf("sarif: exit %d %v", sarif.code, err)
	}
	if res := log.Runs[0].Results; len(res) != 1 || len(res[0].Suppressions) != 1 || res[0].Suppressions[0].Kind != "inSource" ||
		res[0].Suppressions[0].Status != "accepted" || !strings.Contains(res[0].Suppressions[0].Justification, "NET-12") {
		t.Errorf("SARIF suppressions: %+v", log)
	}
	if gh := check("-f", "github", "main.tf"); strings.Contains(gh.stdout, "GKE-002") {
		t.Errorf("a suppressed finding gets no annotation:\n%s", gh.stdout)
	}
	if junit := check("-f", "junit", "main.tf"); !strings.Contains(junit.stdout, `<skipped message="suppressed until `+until+`: public until the VPN lands (NET-12)">`) {
		t.Errorf("JUnit: skipped with the reason:\n%s", junit.stdout)
	}

	// Expired: the finding fails again, and says since when.
	writeFile(t, filepath.Join(dir, "main.tf"), publicCluster(`# guard:ignore GKE-002 until=2026-01-31 reason="public until the VPN lands"`))
	if r := check("main.tf"); r.code != 1 || !strings.Contains(r.stdout, "suppression expired on 2026-01-31") {
		t.Errorf("expired: exit %d\n%s", r.code, r.stdout)
	}
	// No reason: exit 2 at the comment.
	writeFile(t, filepath.Join(dir, "main.tf"), publicCluster(`# guard:ignore GKE-002 until=`+until))
	if r := check("main.tf"); r.code != 2 || !strings.HasPrefix(r.stderr, "guard: main.tf:6: guard:ignore: GKE-002: a reason is required") {
		t.Errorf("no reason: exit %d %s", r.code, r.stderr)
	}
	// A policy the repository keeps central.
	writeFile(t, filepath.Join(dir, "main.tf"), publicCluster(`# guard:ignore GKE-002 until=`+until+` reason="x"`))
	writeFile(t, filepath.Join(dir, ".guard.yaml"), "no-inline-suppression: [GKE-002]\n")
	if r := check("main.tf"); r.code != 2 || !strings.Contains(r.stderr, "main.tf:6: guard:ignore: GKE-002 may not be suppressed inline") {
		t.Errorf("no-inline-suppression: exit %d %s", r.code, r.stderr)
	}
	writeFile(t, filepath.Join(dir, ".guard.yaml"), "")

	// A YAML manifest's object, the comment above it.
	writeFile(t, filepath.Join(dir, "pod.yaml"), `# guard:ignore K8S-007 until=`+until+` reason="the migration's debug pod (PLAT-301)"
apiVersion: v1
kind: Pod
metadata:
  name: debug
spec:
  containers:
    - name: c
      image: busybox:1.36
`)
	if r := check("pod.yaml"); r.code != 0 || !strings.Contains(r.stdout, "K8S-007  SUPPRESSED") || !strings.Contains(r.stdout, "1 suppressed") {
		t.Errorf("manifest: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// A chart's template: on the field, at the end of its line.
	writeFile(t, filepath.Join(dir, "chart", "Chart.yaml"), "apiVersion: v2\nname: debug\nversion: 0.1.0\n")
	writeFile(t, filepath.Join(dir, "chart", "templates", "pod.yaml"), `apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}
spec:
  containers:
    - name: c
      image: busybox:1.36 # guard:ignore K8S-003 until=`+until+` reason="sized by the migration job"
`)
	if r := runIn(t, dir, "check", "--only-policy", "K8S-003", "chart"); r.code != 0 || !strings.Contains(r.stdout, "K8S-003  SUPPRESSED") {
		t.Errorf("chart template: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}

	// One that covers nothing: a warning, like an unused exception.
	writeFile(t, filepath.Join(dir, "main.tf"), `resource "google_container_cluster" "c" {
  name     = "c"
  location = "europe-west1"
  # guard:ignore GKE-002 until=`+until+` reason="stale"
  private_cluster_config {
    enable_private_nodes    = true
    enable_private_endpoint = true
  }
}
`)
	if r := check("main.tf"); r.code != 0 || !strings.Contains(r.stdout, "main.tf:4  SUP-001  WARN  guard:ignore GKE-002") {
		t.Errorf("unused: exit %d\n%s", r.code, r.stdout)
	}
}
