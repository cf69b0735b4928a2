package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/acme/guard/internal/finding"
)

// JUnitSuites is a JUnit XML document, for guard check's reports and guard
// test's results alike.
type JUnitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr,omitempty"`
	Skipped  int          `xml:"skipped,attr"`
	Suites   []JUnitSuite `xml:"testsuite"`
}

type JUnitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr,omitempty"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []JUnitCase `xml:"testcase"`
}

type JUnitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *JUnitFailure `xml:"failure,omitempty"`
	Error     *JUnitFailure `xml:"error,omitempty"`
	Skipped   *JUnitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type JUnitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type JUnitSkipped struct {
	Message string `xml:"message,attr"`
}

// writeJUnit: one test suite per engine's policies; a policy with no finding
// is one passing test case; each finding is a test case of its own, failing
// when it fails the run, skipped when waived, passing (with system-out) as a warning.
func writeJUnit(w io.Writer, r *Report, _ Options) error {
	byPolicy := map[string][]finding.Finding{}
	for _, f := range r.Findings {
		byPolicy[f.PolicyID] = append(byPolicy[f.PolicyID], f)
	}
	policies := append([]finding.Policy{}, r.Policies...)
	known := map[string]bool{}
	for _, p := range policies {
		known[p.ID] = true
	}
	for _, f := range r.Findings {
		if !known[f.PolicyID] {
			known[f.PolicyID] = true
			policies = append(policies, finding.Policy{ID: f.PolicyID, Title: f.Title, Engine: f.Engine})
		}
	}
	suites := map[string]*JUnitSuite{}
	for _, p := range policies {
		engine := p.Engine
		if engine == "" {
			engine = "guard"
		}
		s := suites[engine]
		if s == nil {
			s = &JUnitSuite{Name: "guard." + engine}
			suites[engine] = s
		}
		fs := byPolicy[p.ID]
		if len(fs) == 0 {
			s.Cases = append(s.Cases, JUnitCase{Name: p.ID + ": " + p.Title, Classname: p.ID})
			continue
		}
		for _, f := range fs {
			c := JUnitCase{Name: fmt.Sprintf("%s: %s", p.ID, f.Resource), Classname: p.ID, File: f.File, Line: f.Line}
			text := fmt.Sprintf("%s\n%s %s %s\n%s", location(f), f.PolicyID, f.Severity, f.Title, f.Message)
			switch {
			case f.Fails(r.Threshold):
				c.Failure = &JUnitFailure{Message: f.Message, Type: f.Severity.String(), Text: text}
				s.Failures++
			case f.Waived:
				c.Skipped = &JUnitSkipped{Message: "waived: " + f.Message}
				s.Skipped++
			case f.Suppressed != nil:
				c.Skipped = &JUnitSkipped{Message: fmt.Sprintf("suppressed until %s: %s", f.Suppressed.Until, f.Suppressed.Reason)}
				s.Skipped++
			case f.Baseline:
				c.Skipped = &JUnitSkipped{Message: "in the baseline: " + f.Message}
				s.Skipped++
			default:
				c.SystemOut = label(f) + ": " + text
			}
			s.Cases = append(s.Cases, c)
		}
	}
	if len(r.Unread) > 0 {
		// An input that could not be read is an error of the run, not a
		// policy's failure.
		s := &JUnitSuite{Name: "guard.inputs", Errors: len(r.Unread)}
		for _, u := range r.Unread {
			s.Cases = append(s.Cases, JUnitCase{Name: "read: " + u, Classname: "guard.inputs", Error: &JUnitFailure{Message: u, Type: "unread input", Text: u}})
		}
		suites["\x00inputs"] = s // first
	}
	out := JUnitSuites{Name: "guard"}
	names := slices.Sorted(maps.Keys(suites))
	for _, n := range names {
		s := suites[n]
		s.Tests = len(s.Cases)
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Skipped += s.Skipped
		out.Errors += s.Errors
		out.Suites = append(out.Suites, *s)
	}
	return WriteXML(w, out)
}

// WriteXML writes v as an indented XML document (JUnit reports).
func WriteXML(w io.Writer, v any) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
