package acceptance

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

// verdictCorpus is testdata/verdicts/foreign.yaml: for each public input of
// ../shared/foreign, the findings an expert expects, each right or wrong.
type verdictCorpus struct {
	Inputs []struct {
		Input    string    `json:"input"`
		Args     []string  `json:"args"`
		Findings []verdict `json:"findings"`
	} `json:"inputs"`
}

type verdict struct {
	Policy, Level, Resource, Match, Verdict, Reason string
}

// matches says whether a finding is the one v judges: its policy, level and
// resource ("*": any), with v.Match in its message.
func (v verdict) matches(policy, level, resource, message string) bool {
	return v.Policy == policy && v.Level == level && (v.Resource == "*" || v.Resource == resource) && strings.Contains(message, v.Match)
}

// TestVerdictCorpus runs guard with no configuration (no .guard.yaml: the
// default set, the default parameters) on each public input of the corpus.
// A finding judged wrong must not appear, one judged right must, and every
// finding must have been judged. No message names this platform, and
// nothing built into guard waives anything.
func TestVerdictCorpus(t *testing.T) {
	if _, err := os.Stat(foreignDir); err != nil {
		t.Skipf("needs the public corpus in ../shared/foreign (CI has it): %v", err)
	}
	data, err := os.ReadFile(filepath.Join(root, "testdata", "verdicts", "foreign.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var corpus verdictCorpus
	if err := yaml.UnmarshalStrict(data, &corpus); err != nil {
		t.Fatalf("testdata/verdicts/foreign.yaml: %v", err)
	}
	if len(corpus.Inputs) < 15 {
		t.Fatalf("%d inputs in the corpus", len(corpus.Inputs))
	}
	var right, wrong, seen int
	for _, in := range corpus.Inputs {
		t.Run(in.Input, func(t *testing.T) {
			for _, v := range in.Findings {
				if v.Verdict != "right" && v.Verdict != "wrong" || v.Reason == "" || v.Policy == "" || v.Resource == "" {
					t.Fatalf("corpus entry %+v: want a policy, a resource, a verdict (right or wrong) and a reason", v)
				}
			}
			// An example runs as terraform init leaves it; anything else
			// from the corpus's root, so that no configuration file of
			// this repository applies and the report names it as a user would.
			dir, target := foreignDir, in.Input
			if strings.Contains(in.Input, "/examples/") {
				dir, target = initExample(t, filepath.Join(foreignDir, in.Input)), "."
			}
			args := append([]string{"check", "--format", "json"}, in.Args...)
			for i, a := range args {
				if strings.HasPrefix(a, "chart-archives") {
					args[i] = filepath.Join(foreignDir, a)
				}
			}
			r := run(t, cmdIn(dir, append(args, target)...))
			var report struct {
				Findings []struct {
					Policy, Level, Resource, Message string
					Waived                           bool
				}
			}
			if r.code != 0 && r.code != 1 || json.Unmarshal([]byte(r.stdout), &report) != nil {
				t.Fatalf("exit %d\n%s", r.code, r.stderr)
			}
			found := make([]bool, len(in.Findings))
			for _, f := range report.Findings {
				resource := strings.TrimPrefix(f.Resource, in.Input+":")
				judged := false
				for i, v := range in.Findings {
					if !v.matches(f.Policy, f.Level, resource, f.Message) {
						continue
					}
					judged, found[i] = true, true
					if v.Verdict == "wrong" {
						t.Errorf("a finding judged wrong: %s %s %s: %s\n  why: %s", f.Policy, f.Level, resource, f.Message, v.Reason)
					}
				}
				if !judged {
					t.Errorf("a finding nobody has judged (add it to testdata/verdicts/foreign.yaml, right or wrong, with the reason): %s %s %s: %s", f.Policy, f.Level, resource, f.Message)
				}
				if f.Waived {
					t.Errorf("waived with no configuration (an exception built into guard?): %s %s", f.Policy, resource)
				}
				if lower := strings.ToLower(f.Message); strings.Contains(lower, "acme") || strings.Contains(lower, "prod-images") {
					t.Errorf("a message names this platform: %s %s: %s", f.Policy, resource, f.Message)
				}
				seen++
			}
			for i, v := range in.Findings {
				switch {
				case v.Verdict == "right" && !found[i]:
					t.Errorf("a finding judged right is gone: %s %s %s %q\n  why it is right: %s", v.Policy, v.Level, v.Resource, v.Match, v.Reason)
				case v.Verdict == "right":
					right++
				default:
					wrong++
				}
			}
		})
	}
	t.Logf("%d inputs, %d findings: %d judged right seen, %d judged wrong absent", len(corpus.Inputs), seen, right, wrong)
	if right < 100 || wrong < 10 {
		t.Errorf("%d right and %d wrong verdicts: the corpus lost its entries?", right, wrong)
	}
}
