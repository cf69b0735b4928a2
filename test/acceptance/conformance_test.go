package acceptance

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// Kyverno conformance: every kyverno-test.yaml suite Kyverno's Go module ships
// under test/cli, run by the upstream `kyverno test` (built at the same
// version by scripts/tools.sh) and by `guard test`, compared result for
// result. A suite agrees when both exit alike and every result row kyverno
// checks has the same outcome in guard. At least 95% of the suites whose
// policies only validate must agree, and every one that does not is listed
// in docs/conformance.md with its reason (the test fails on an unlisted
// difference and on a listed one that now agrees, so the list stays exact).
//
// The report is written to .cache/conformance/report.json and .txt, with
// both tools' total times.
func TestKyvernoConformance(t *testing.T) {
	cli := os.Getenv("GUARD_KYVERNO_CLI")
	if cli == "" {
		t.Skip("GUARD_KYVERNO_CLI is not set (scripts/test.sh builds the Kyverno CLI and sets it)")
	}
	moduleDir := kyvernoModule(t)
	var suites []string
	_ = filepath.WalkDir(filepath.Join(moduleDir, "test/cli"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && d.Name() == "kyverno-test.yaml" {
			suites = append(suites, path)
		}
		return nil
	})
	if len(suites) < 190 {
		t.Fatalf("found %d suites in %s, want Kyverno's ~198", len(suites), moduleDir)
	}
	known := knownDifferences(t)
	// Each tool over every suite, one process per suite, on every CPU; each
	// tool's wall time over the whole set is what the ratio compares.
	ups := make([]result, len(suites))
	ours := make([]result, len(suites))
	kyvernoTime := parallel(len(suites), func(i int) { ups[i] = upstreamTest(t, cli, suites[i]) })
	guardTime := parallel(len(suites), func(i int) { ours[i] = guard(t, "test", "--format", "json", suites[i]) })
	var rows []conformanceRow
	for i, suite := range suites {
		rel, _ := filepath.Rel(moduleDir, suite)
		row := conformanceRow{Suite: filepath.ToSlash(rel), ValidateOnly: validateOnly(t, suite)}
		row.KyvernoExit, row.GuardExit = ups[i].code, ours[i].code
		row.Differences = compareSuite(suite, ups[i], ours[i])
		rows = append(rows, row)
	}
	agree, validate, validateAgree := 0, 0, 0
	for i := range rows {
		r := &rows[i]
		if len(r.Differences) == 0 {
			agree++
		}
		if r.ValidateOnly {
			validate++
			if len(r.Differences) == 0 {
				validateAgree++
			}
		}
		reason, listed := known[r.Suite]
		switch {
		case r.ValidateOnly && len(r.Differences) > 0 && !listed:
			t.Errorf("%s: guard test and kyverno test differ, and docs/conformance.md does not list it:\n  %s", r.Suite, strings.Join(r.Differences, "\n  "))
		case listed && len(r.Differences) == 0:
			t.Errorf("%s: docs/conformance.md lists a difference (%s), but the suite now agrees: remove it from the list", r.Suite, reason)
		}
	}
	ratio := float64(kyvernoTime) / float64(guardTime)
	summary := fmt.Sprintf("%d suites: %d agree; validate-only: %d of %d agree (%.1f%%); kyverno test %.1f s, guard test %.1f s (%.1fx)",
		len(rows), agree, validateAgree, validate, 100*float64(validateAgree)/float64(validate), kyvernoTime.Seconds(), guardTime.Seconds(), ratio)
	t.Log(summary)
	writeConformanceReport(t, rows, summary)
	if validate < 100 {
		t.Errorf("only %d validate-only suites found", validate)
	}
	if float64(validateAgree) < 0.95*float64(validate) {
		t.Errorf("conformance below 95%%: %s", summary)
	}
}

// parallel runs do(0..n-1) on every CPU and returns the wall time taken.
func parallel(n int, do func(i int)) time.Duration {
	start := time.Now()
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				do(i)
			}
		}()
	}
	for i := 0; i < n; i++ {
		next <- i
	}
	close(next)
	wg.Wait()
	return time.Since(start)
}

// upstreamTest runs `kyverno test` on a suite's directory. For working on
// the runner, GUARD_CONFORMANCE_CACHE=DIR keeps its outputs between runs
// (kyverno takes minutes, guard seconds); CI never sets it.
func upstreamTest(t *testing.T, cli, suite string) result {
	cache := os.Getenv("GUARD_CONFORMANCE_CACHE")
	file := filepath.Join(cache, strings.NewReplacer("/", "_").Replace(suite)+".json")
	if cache != "" {
		if data, err := os.ReadFile(file); err == nil {
			var r struct {
				Code           int
				Stdout, Stderr string
			}
			if json.Unmarshal(data, &r) == nil {
				return result{code: r.Code, stdout: r.Stdout, stderr: r.Stderr}
			}
		}
	}
	r := run(t, exec.Command(cli, "test", filepath.Dir(suite), "--output-format", "json", "--remove-color"))
	if cache != "" {
		data, _ := json.Marshal(map[string]any{"Code": r.code, "Stdout": r.stdout, "Stderr": r.stderr})
		_ = os.MkdirAll(cache, 0o755)
		_ = os.WriteFile(file, data, 0o644)
	}
	return r
}

type conformanceRow struct {
	Suite        string   `json:"suite"`
	ValidateOnly bool     `json:"validate_only"`
	KyvernoExit  int      `json:"kyverno_exit"`
	GuardExit    int      `json:"guard_exit"`
	Differences  []string `json:"differences,omitempty"`
}

// compareSuite lists where guard test and kyverno test differ on one suite:
// their exit codes, and every result kyverno reports whose outcome guard does
// not share (or does not report at all).
func compareSuite(suite string, up, ours result) []string {
	var diffs []string
	if up.code != ours.code {
		msg := fmt.Sprintf("exit codes: kyverno test %d, guard test %d", up.code, ours.code)
		if ours.code == 2 {
			msg += ": " + firstLine(ours.stderr)
		}
		diffs = append(diffs, msg)
	}
	kyverno := kyvernoOutcomes(suite, up.stdout)
	var got struct {
		Cases []struct {
			Suite, Name, Message string
			Passed, Skipped      bool
		}
	}
	if ours.code != 2 {
		if err := json.Unmarshal([]byte(ours.stdout), &got); err != nil {
			return append(diffs, "guard test output: "+err.Error())
		}
	}
	guardOutcomes := map[string]bool{}
	messages := map[string]string{}
	for _, c := range got.Cases {
		if c.Suite != suite {
			continue
		}
		policy, resource, _ := strings.Cut(c.Name, " ")
		c.Name = resultKey(policy, resource)
		passed := c.Passed && !c.Skipped // a result guard does not evaluate is not agreement
		if prev, ok := guardOutcomes[c.Name]; ok {
			passed = passed && prev
		}
		guardOutcomes[c.Name] = passed
		if c.Message != "" {
			messages[c.Name] = c.Message
		}
	}
	keys := make([]string, 0, len(kyverno))
	for k := range kyverno {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		want := kyverno[key]
		g, ok := guardOutcomes[key]
		switch {
		case !ok && ours.code != 2:
			diffs = append(diffs, fmt.Sprintf("%s: kyverno test passed=%v, guard test has no such result", key, want))
		case ok && g != want:
			diffs = append(diffs, fmt.Sprintf("%s: kyverno test passed=%v, guard test passed=%v: %s", key, want, g, messages[key]))
		}
	}
	return diffs
}

var loadingTest = regexp.MustCompile(`(?m)^Loading test .*\( (.*) \) \.\.\.$`)

// kyvernoOutcomes reads `kyverno test --output-format json` for one suite
// file: policy and resource (kind/namespace/name) -> whether every row about
// them passed.
func kyvernoOutcomes(suite, stdout string) map[string]bool {
	out := map[string]bool{}
	headers := loadingTest.FindAllStringSubmatchIndex(stdout, -1)
	for i, h := range headers {
		if stdout[h[2]:h[3]] != suite {
			continue
		}
		end := len(stdout)
		if i+1 < len(headers) {
			end = headers[i+1][0]
		}
		chunk := stdout[h[1]:end]
		for {
			start := strings.Index(chunk, "\n[\n")
			if start < 0 {
				break
			}
			stop := strings.Index(chunk[start:], "\n]")
			if stop < 0 {
				break
			}
			var part []struct{ POLICY, RESOURCE, RESULT string }
			if err := json.Unmarshal([]byte(chunk[start+1:start+stop+2]), &part); err == nil {
				for _, r := range part {
					key := resultKey(r.POLICY, r.RESOURCE)
					passed := r.RESULT == "Pass"
					if prev, ok := out[key]; ok {
						passed = passed && prev
					}
					out[key] = passed
				}
			}
			chunk = chunk[start+stop+2:]
		}
	}
	return out
}

// resultKey names a result by policy and the last three parts of its
// resource (kind/namespace/name, or the end of a payload's path): kyverno
// prints apiVersion/kind/namespace/name, guard kind/namespace/name.
func resultKey(policy, resource string) string {
	parts := strings.Split(resource, "/")
	if len(parts) < 3 {
		parts = append(make([]string, 3-len(parts)), parts...)
	}
	return policy + " " + strings.Join(parts[len(parts)-3:], "/")
}

// validateOnly says whether a suite's policies only validate: legacy
// policies whose rules all validate, ValidatingPolicies and
// ValidatingAdmissionPolicies (with their bindings), and exceptions.
func validateOnly(t *testing.T, suite string) bool {
	data, err := os.ReadFile(suite)
	if err != nil {
		t.Fatal(err)
	}
	var s struct{ Policies []string }
	if err := yaml.Unmarshal(data, &s); err != nil || len(s.Policies) == 0 {
		return false
	}
	for _, p := range s.Policies {
		data, err := os.ReadFile(filepath.Join(filepath.Dir(suite), p))
		if err != nil {
			return false // kyverno test reports it; not a validate-only suite of ours to count
		}
		for _, doc := range bytes.Split(data, []byte("\n---")) {
			var d struct {
				Kind string
				Spec struct {
					Rules []map[string]any
				}
			}
			if yaml.Unmarshal(doc, &d) != nil {
				return false
			}
			switch d.Kind {
			case "", "PolicyException", "ValidatingPolicy", "NamespacedValidatingPolicy",
				"ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding":
			case "ClusterPolicy", "Policy":
				for _, r := range d.Spec.Rules {
					if _, ok := r["validate"]; !ok {
						return false
					}
				}
			default:
				return false
			}
		}
	}
	return true
}

// knownDifferences reads docs/conformance.md's table of suites that differ:
// rows "| test/cli/... | reason |".
func knownDifferences(t *testing.T) map[string]string {
	data, err := os.ReadFile(filepath.Join(root, "docs/conformance.md"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(string(data), "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 4 {
			continue
		}
		suite := strings.Trim(strings.TrimSpace(cells[1]), "`")
		if strings.HasPrefix(suite, "test/cli/") {
			out[suite] = strings.TrimSpace(cells[2])
		}
	}
	return out
}

func writeConformanceReport(t *testing.T, rows []conformanceRow, summary string) {
	dir := filepath.Join(root, ".cache/conformance")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	js, _ := json.MarshalIndent(map[string]any{"summary": summary, "suites": rows}, "", "  ")
	var txt strings.Builder
	fmt.Fprintln(&txt, summary)
	for _, r := range rows {
		if len(r.Differences) == 0 {
			continue
		}
		fmt.Fprintf(&txt, "\n%s (validate-only %v):\n  %s\n", r.Suite, r.ValidateOnly, strings.Join(r.Differences, "\n  "))
	}
	for name, data := range map[string][]byte{"report.json": js, "report.txt": []byte(txt.String())} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// guard check evaluates ValidatingAdmissionPolicies with their bindings and
// parameters, on Kyverno's own VAP suites: the resources each suite expects
// to fail are the findings, and nothing else is (the parameter ConfigMap,
// which the policy does not match, least of all).
func TestValidatingAdmissionPolicyCheck(t *testing.T) {
	suites := filepath.Join(kyvernoModule(t), "test/cli/test-validating-admission-policy")
	for _, c := range []struct {
		suite  string
		inputs []string
		want   []string // failing objects
	}{
		{"with-bindings-1", []string{"deployment1.yaml", "deployment2.yaml", "deployment3.yaml"}, []string{"Deployment/nginx-deployment-1"}},
		{"with-params", []string{"cm.yaml", "deployment1.yaml", "deployment2.yaml"}, []string{"Deployment/nginx-deployment2"}},
	} {
		t.Run(c.suite, func(t *testing.T) {
			policies := t.TempDir()
			data, err := os.ReadFile(filepath.Join(suites, c.suite, "policy.yaml"))
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(policies, "policy.yaml"), data, 0o644); err != nil {
				t.Fatal(err)
			}
			args := []string{"check", "--format", "json", "--policy", policies}
			for _, f := range c.inputs {
				args = append(args, filepath.Join(suites, c.suite, f))
			}
			r := guard(t, args...)
			var rep struct {
				Findings []struct{ Resource, Level string }
			}
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("exit %d: %v\n%s", r.code, err, r.stderr)
			}
			var got []string
			for _, f := range rep.Findings {
				got = append(got, f.Resource)
			}
			sort.Strings(got)
			if r.code != 1 || strings.Join(got, " ") != strings.Join(c.want, " ") {
				t.Errorf("exit %d, findings %v, want exit 1 and %v\n%s", r.code, got, c.want, r.stderr)
			}
		})
	}
}
