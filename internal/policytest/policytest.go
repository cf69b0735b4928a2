// Package policytest runs the policies' own tests: Rego unit tests with OPA's
// tester, and Kyverno test suites (kyverno-test.yaml, the format `kyverno
// test` reads) with guard's Kyverno engine.
package policytest

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"sort"
	"text/tabwriter"
	"time"

	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/rego"
	"github.com/acme/guard/internal/report"
)

// Case is one test case and its outcome.
type Case struct {
	Engine  string `json:"engine"`
	Suite   string `json:"suite"` // Rego package, or the kyverno-test.yaml file
	Name    string `json:"name"`  // Rego test rule, or policy and resource
	Passed  bool   `json:"passed"`
	Message string `json:"message,omitempty"`
	// Want and Got are a Kyverno case's expected and actual result (pass, fail, skip).
	Want string `json:"want,omitempty"`
	Got  string `json:"got,omitempty"`
	// Skipped: a result for a policy guard does not evaluate (a mutate or
	// generate policy); it passes unless the run is strict.
	Skipped bool `json:"skipped,omitempty"`
}

// Run runs every test under dirs. An error means tests could not run (a broken
// test or policy); failing tests are cases with Passed false. With strict,
// results for policies guard does not evaluate fail instead of being skipped.
func Run(ctx context.Context, dirs []string, now time.Time, strict bool) ([]Case, error) {
	var cases []Case
	var regoDirs []string // a file argument is a Kyverno suite, not Rego
	for _, d := range dirs {
		if st, err := os.Stat(d); err == nil && st.IsDir() {
			regoDirs = append(regoDirs, d)
		}
	}
	// OPA's test runner and Kyverno's suites share nothing: the Rego tests
	// run on one CPU while the suites run (one after the other: Kyverno's
	// CLI keeps a suite's variables and mocks in process-wide state).
	var results []*tester.Result
	regoDone := diag.InBackground("OPA's test runner", func() (err error) {
		results, err = rego.RunTests(ctx, regoDirs)
		return err
	})
	var kyvernoCases []Case
	suites, kerr := FindSuites(dirs)
	for _, path := range suites {
		cs, err := runSuites(ctx, path, now, strict)
		if err != nil {
			kerr = err
			break
		}
		kyvernoCases = append(kyvernoCases, cs...)
	}
	if err := <-regoDone; err != nil {
		return nil, err
	}
	if kerr != nil {
		return nil, kerr
	}
	for _, r := range results {
		c := Case{Engine: rego.EngineName, Suite: r.Package, Name: r.Name, Passed: !r.Fail && r.Error == nil}
		switch {
		case r.Error != nil:
			c.Message = fmt.Sprintf("%s: %v", r.Location, r.Error)
		case r.Fail:
			c.Message = fmt.Sprintf("%s: failed", r.Location)
		}
		cases = append(cases, c)
	}
	cases = append(cases, kyvernoCases...)
	sort.SliceStable(cases, func(i, j int) bool {
		a, b := cases[i], cases[j]
		if a.Engine != b.Engine {
			return a.Engine > b.Engine // rego first
		}
		if a.Suite != b.Suite {
			return a.Suite < b.Suite
		}
		return a.Name < b.Name
	})
	return cases, nil
}

// Failed counts the failing cases.
func Failed(cases []Case) int {
	n := 0
	for _, c := range cases {
		if !c.Passed {
			n++
		}
	}
	return n
}

// Skipped counts the cases skipped (and passed: not a strict run).
func Skipped(cases []Case) int {
	n := 0
	for _, c := range cases {
		if c.Skipped && c.Passed {
			n++
		}
	}
	return n
}

// writers are guard test's output formats.
var writers = report.Writers[[]Case]{"text": writeText, "json": writeJSON, "junit": writeJUnit}

// Formats lists guard test's format names.
func Formats() []string { return writers.Names() }

// Write prints the cases as a table (text), JSON or JUnit XML.
func Write(w io.Writer, format string, cases []Case) error {
	return writers.Write(w, format, cases, report.Options{})
}

func writeText(w io.Writer, cases []Case, _ report.Options) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RESULT\tENGINE\tSUITE\tTEST\tMESSAGE")
	for _, c := range cases {
		res := "PASS"
		switch {
		case !c.Passed:
			res = "FAIL"
		case c.Skipped:
			res = "SKIP"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", res, c.Engine, c.Suite, c.Name, c.Message)
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	failed, skipped := Failed(cases), Skipped(cases)
	summary := fmt.Sprintf("\n%d passed, %d failed", len(cases)-failed-skipped, failed)
	if skipped > 0 {
		summary += fmt.Sprintf(", %d skipped (what guard does not evaluate, each with the reason; --strict fails them)", skipped)
	}
	_, err := fmt.Fprintln(w, summary)
	return err
}

func writeJSON(w io.Writer, cases []Case, _ report.Options) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(map[string]any{"cases": cases, "passed": len(cases) - Failed(cases) - Skipped(cases), "failed": Failed(cases), "skipped": Skipped(cases)})
}

// writeJUnit: one test suite per engine and Rego package or suite file.
func writeJUnit(w io.Writer, cases []Case, _ report.Options) error {
	out := report.JUnitSuites{Name: "guard test"}
	index := map[string]int{}
	for _, c := range cases {
		key := c.Engine + ":" + c.Suite
		i, ok := index[key]
		if !ok {
			i = len(out.Suites)
			index[key] = i
			out.Suites = append(out.Suites, report.JUnitSuite{Name: key})
		}
		s := &out.Suites[i]
		jc := report.JUnitCase{Name: c.Name, Classname: c.Suite}
		switch {
		case !c.Passed:
			jc.Failure = &report.JUnitFailure{Message: c.Message, Type: "failed"}
			s.Failures++
			out.Failures++
		case c.Skipped:
			jc.Skipped = &report.JUnitSkipped{Message: c.Message}
			s.Skipped++
			out.Skipped++
		}
		s.Cases = append(s.Cases, jc)
		s.Tests++
		out.Tests++
	}
	return report.WriteXML(w, out)
}
