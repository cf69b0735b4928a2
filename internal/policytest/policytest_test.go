package policytest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/acme/guard/internal/policytest/kyvernosuite"
)

const root = "../.."

// Every suite of the library passes with guard's engine: each policy on
// passing and failing Pods, Deployments, CronJobs and Namespaces (autogen
// included), with namespaceSelector labels from the suite's values.
func TestLibrarySuites(t *testing.T) {
	suites, err := FindSuites([]string{filepath.Join(root, "policies/kyverno")})
	if err != nil {
		t.Fatal(err)
	}
	if len(suites) < 6 {
		t.Fatalf("%d suites", len(suites))
	}
	total := map[string]int{}
	for _, s := range suites {
		cases, err := runSuites(context.Background(), s, time.Now(), true)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases {
			total[c.Want]++
			if !c.Passed {
				t.Errorf("%s: %s: %s", s, c.Name, c.Message)
			}
		}
	}
	if total["pass"] < 10 || total["fail"] < 20 || total["skip"] < 5 {
		t.Errorf("the suites need passing, failing and skipped cases: %v", total)
	}
}

// Legacy kyverno.io/v1 ClusterPolicies still run, with autogen.
func TestLegacyClusterPolicySuite(t *testing.T) {
	cases, err := runSuites(context.Background(), filepath.Join(root, "testdata/kyverno/legacy/kyverno-test.yaml"), time.Now(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 3 {
		t.Fatalf("%d cases", len(cases))
	}
	for _, c := range cases {
		if !c.Passed {
			t.Errorf("%s: %s", c.Name, c.Message)
		}
	}
}

// Results are judged as kyverno test judges them.
func TestVerdict(t *testing.T) {
	for _, c := range verdictCases {
		got, _ := verdict(c.x, c.r)
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.name, got, c.want)
		}
	}
}

var verdictCases = []struct {
	name string
	x    kyvernosuite.Expected
	r    *kyvernosuite.Response
	want string
}{
	{"no response is not found", kyvernosuite.Expected{Result: "pass"}, nil, "not found"},
	{"no rule applied: excluded, a pass whatever is expected", kyvernosuite.Expected{Result: "fail"}, &kyvernosuite.Response{}, "fail"},
	{"every rule must match", kyvernosuite.Expected{Result: "pass"}, &kyvernosuite.Response{Rules: []kyvernosuite.Rule{{Name: "a", Result: "pass"}, {Name: "b", Result: "fail"}}}, "fail"},
	{"a named rule only", kyvernosuite.Expected{Rule: "a", Result: "pass"}, &kyvernosuite.Response{Rules: []kyvernosuite.Rule{{Name: "a", Result: "pass"}, {Name: "b", Result: "fail"}}}, "pass"},
	{"autogen variants answer for the rule", kyvernosuite.Expected{Rule: "a", Result: "fail"}, &kyvernosuite.Response{Rules: []kyvernosuite.Rule{{Name: "autogen-cronjob-a", Result: "fail"}}}, "fail"},
	{"autogen variant failing", kyvernosuite.Expected{Rule: "a", Result: "pass"}, &kyvernosuite.Response{Rules: []kyvernosuite.Rule{{Name: "autogen-a", Result: "fail"}}}, "fail"},
	{"a ruleless policy answers for any rule name", kyvernosuite.Expected{Rule: "x", Result: "pass"}, &kyvernosuite.Response{Ruleless: true, Rules: []kyvernosuite.Rule{{Result: "fail"}}}, "fail"},
	{"warn is its own result", kyvernosuite.Expected{Result: "fail"}, &kyvernosuite.Response{Rules: []kyvernosuite.Rule{{Result: "warn"}}}, "warn"},
}
