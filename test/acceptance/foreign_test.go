package acceptance

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// foreignDir is the corpus of public GKE code (../shared/foreign, beside
// the repository; CI has it).
var foreignDir = filepath.Join(root, "..", "shared", "foreign")

// registryModules are the registry sources the corpus's examples call,
// and the folder of the corpus that holds each module's copy.
var registryModules = map[string]string{
	"terraform-google-modules/kubernetes-engine/google//modules/safer-cluster":   "terraform-google-modules__terraform-google-kubernetes-engine/modules/safer-cluster",
	"terraform-google-modules/kubernetes-engine/google//modules/private-cluster": "terraform-google-modules__terraform-google-kubernetes-engine/modules/private-cluster",
	"terraform-google-modules/network/google":                                    "terraform-google-modules__terraform-google-network",
}

// allowedExit2 reads docs/foreign.md's table: folder -> the error that justifies its exit 2.
func allowedExit2(t *testing.T) map[string]string {
	t.Helper()
	f, err := os.Open(filepath.Join(root, "docs", "foreign.md"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	allowed := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		cells := strings.Split(sc.Text(), "|")
		if len(cells) == 4 && strings.Contains(cells[1], "__") {
			allowed[strings.TrimSpace(cells[1])] = strings.TrimSpace(cells[2])
		}
	}
	return allowed
}

// TestForeignTerraform: guard reads every Terraform folder of the corpus,
// as a root with its variables unset: exit 0 or 1, or an exit 2 that
// docs/foreign.md lists with the Terraform error that justifies it.
func TestForeignTerraform(t *testing.T) {
	if _, err := os.Stat(foreignDir); err != nil {
		t.Skipf("needs the public corpus in ../shared/foreign (CI has it): %v", err)
	}
	var folders []string
	err := filepath.WalkDir(foreignDir, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() && strings.HasSuffix(path, ".tf") {
			dir, _ := filepath.Rel(foreignDir, filepath.Dir(path))
			if !slices.Contains(folders, dir) {
				folders = append(folders, dir)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(folders)
	if len(folders) < 15 {
		t.Fatalf("only %d Terraform folders in %s", len(folders), foreignDir)
	}
	allowed := allowedExit2(t)
	var rows []string
	for _, folder := range folders {
		dir := filepath.Join(foreignDir, folder)
		if strings.Contains(folder, "/examples/") {
			dir = initExample(t, dir)
		}
		start := time.Now()
		r := run(t, cmdIn(dir, "check", "--format", "json", "."))
		elapsed := time.Since(start)
		var report struct {
			Summary  struct{ Resources, Objects, Findings, Failures int }
			Errors   []string
			Findings []struct{ Policy, Message string }
		}
		_ = json.Unmarshal([]byte(r.stdout), &report)
		rows = append(rows, fmt.Sprintf("| %s | %d | %d | %d | %d | %d | %.1f s | %s |", folder, r.code, report.Summary.Resources, report.Summary.Objects,
			report.Summary.Findings, report.Summary.Failures, elapsed.Seconds(), strings.ReplaceAll(firstError(r.stderr), "|", "\\|")))
		// Node pools built from list(map(any)) inputs hold "true" strings:
		// converted by the provider's schema, auto-repair and integrity
		// monitoring are on.
		for _, f := range report.Findings {
			if (f.Policy == "GKE-013" || f.Policy == "GKE-011") && (strings.Contains(f.Message, "auto_repair") || strings.Contains(f.Message, "integrity")) {
				t.Errorf("%s: %s %s", folder, f.Policy, f.Message)
			}
		}
		switch r.code {
		case 0, 1:
			// Read, and judged (a module whose inputs default to nothing,
			// as firewall-rules' and routes' do, declares no resource).
		case 2:
			why, ok := allowed[folder]
			if !ok || !strings.Contains(r.stderr, why) {
				t.Errorf("%s: exit 2 that docs/foreign.md does not justify:\n%s", folder, r.stderr)
			}
			if len(report.Errors) == 0 || report.Summary.Resources == 0 {
				t.Errorf("%s: exit 2 must still report the folder's own resources and name the error in the report: %+v", folder, report)
			}
		default:
			t.Errorf("%s: exit %d\n%s", folder, r.code, r.stderr)
		}
	}
	writeForeignReport(t, rows)
}

// initExample copies an example (its own files only: a few kB) to a
// temporary root and writes .terraform/modules/modules.json there, as
// `terraform init` would, pointing each registry module at the corpus's copy.
func initExample(t *testing.T, example string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), filepath.Base(example))
	if err := os.MkdirAll(filepath.Join(dir, ".terraform", "modules"), 0o755); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(example)
	if err != nil {
		t.Fatal(err)
	}
	type module struct{ Key, Source, Dir string }
	var modules []module
	for _, e := range entries {
		if e.IsDir() {
			continue
		}
		data, err := os.ReadFile(filepath.Join(example, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, e.Name()), data, 0o644); err != nil {
			t.Fatal(err)
		}
		// module "NAME" { source = "REGISTRY" }: what terraform init records.
		var name string
		for _, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, "module \"") {
				name = strings.Split(line, "\"")[1]
			}
			if name != "" && strings.HasPrefix(line, "source") {
				src := strings.Trim(strings.TrimSpace(strings.SplitN(line, "=", 2)[1]), "\"")
				if copyDir, ok := registryModules[src]; ok {
					rel, err := filepath.Rel(dir, filepath.Join(foreignDir, copyDir))
					if err != nil {
						t.Fatal(err)
					}
					modules = append(modules, module{Key: name, Source: "registry.terraform.io/" + src, Dir: filepath.ToSlash(rel)})
				}
				name = ""
			}
		}
	}
	manifest, _ := json.Marshal(map[string]any{"Modules": append([]module{{Key: "", Source: "", Dir: "."}}, modules...)})
	if err := os.WriteFile(filepath.Join(dir, ".terraform", "modules", "modules.json"), manifest, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// firstError is the first error guard printed on standard error.
func firstError(stderr string) string {
	for _, line := range strings.Split(stderr, "\n") {
		if strings.HasPrefix(line, "guard: ") {
			return line
		}
	}
	return ""
}

// writeForeignReport keeps the results in .cache/foreign/terraform.md.
func writeForeignReport(t *testing.T, rows []string) {
	t.Helper()
	dir := filepath.Join(root, ".cache", "foreign")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	text := "# guard check on ../shared/foreign's Terraform folders\n\n" +
		"| folder | exit | resources | objects | findings | failing | time | error |\n|---|---|---|---|---|---|---|---|\n" +
		strings.Join(rows, "\n") + "\n"
	if err := os.WriteFile(filepath.Join(dir, "terraform.md"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestForeignCharts: charts as they are published, their repository
// dependencies not vendored. kube-prometheus-stack renders with the
// archives of its dependencies (--charts) and is judged; without them it
// is exit 2 with Helm's error and its fix, while the other inputs of the
// same run are still reported; a library chart is no error.
func TestForeignCharts(t *testing.T) {
	if _, err := os.Stat(foreignDir); err != nil {
		t.Skipf("needs the public corpus in ../shared/foreign (CI has it): %v", err)
	}
	kps := filepath.Join(foreignDir, "prometheus-community__helm-charts/charts/kube-prometheus-stack")
	demo := filepath.Join(foreignDir, "GoogleCloudPlatform__microservices-demo/kubernetes-manifests")
	common := filepath.Join(foreignDir, "bitnami__charts/bitnami/common")

	r := guard(t, "check", "--format", "json", "--charts", filepath.Join(foreignDir, "chart-archives"), kps)
	var report struct {
		Summary struct{ Objects int }
	}
	_ = json.Unmarshal([]byte(r.stdout), &report)
	if r.code != 0 && r.code != 1 || report.Summary.Objects < 100 {
		t.Errorf("kube-prometheus-stack with its dependencies' archives: exit %d, %d objects\n%s", r.code, report.Summary.Objects, r.stderr)
	}

	r = guard(t, "check", "--format", "json", kps, demo)
	_ = json.Unmarshal([]byte(r.stdout), &report)
	if r.code != 2 || !strings.Contains(r.stderr, "missing in charts/ directory: kube-state-metrics") ||
		!strings.Contains(r.stderr, "helm dependency build") || report.Summary.Objects == 0 {
		t.Errorf("kube-prometheus-stack without its dependencies: exit %d, %d objects of microservices-demo\n%s", r.code, report.Summary.Objects, r.stderr)
	}

	if r = guard(t, "check", common); r.code != 0 || !strings.Contains(r.stderr, "library chart: nothing to render") {
		t.Errorf("bitnami/common: exit %d\n%s", r.code, r.stderr)
	}
}
