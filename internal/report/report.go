// Package report writes a check's findings in each output format: text,
// json, sarif, junit, github and html. Every writer is deterministic: the
// same report gives byte-identical output.
package report

import (
	"fmt"
	"io"
	"maps"
	"slices"

	"github.com/acme/guard/internal/evidence"
	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/parameters"
)

// Report is the outcome of one `guard check`.
type Report struct {
	Version   string
	Threshold finding.Severity
	Findings  []finding.Finding
	Policies  []finding.Policy
	// Resources and Objects count the Terraform resources and Kubernetes objects checked.
	Resources int
	Objects   int
	// HasBaseline says the check compared its findings with a --baseline
	// report (SARIF then states every result's baselineState).
	HasBaseline bool
	// Unread are the inputs that could not be read, one message each
	// (file:line: what): the check is incomplete and exits 2.
	Unread []string

	// What an audit report shows beside the findings (the HTML report).

	// Date is the day the check judged expiries on (YYYY-MM-DD).
	Date string
	// Scopes are where the input's items sit: the control matrix's columns.
	Scopes Scopes
	// Exceptions are the PolicyExceptions loaded, by key (namespace/name):
	// what waived findings name.
	Exceptions map[string]Exception
	// Profiles and Parameters are the policy library's in effect (none
	// without a policy chart).
	Profiles   []string
	Parameters []parameters.Parameter
	// Inputs are the files read, with their digests (when the check was
	// asked for them).
	Inputs []evidence.File
}

// Exception is a PolicyException as reports name it.
type Exception struct {
	Owner, Reason string
	// Expires is the day it ends (YYYY-MM-DD), "" for never.
	Expires string
	File    string
	Line    int
}

// Failed says whether any finding fails the run at the report's threshold.
func (r *Report) Failed() bool {
	for _, f := range r.Findings {
		if f.Fails(r.Threshold) {
			return true
		}
	}
	return false
}

// Summary counts findings the way every format reports them.
type Summary struct {
	Findings   int            `json:"findings"`
	Failures   int            `json:"failures"`
	Warnings   int            `json:"warnings"`
	Waived     int            `json:"waived"`
	Suppressed int            `json:"suppressed,omitempty"`
	Baseline   int            `json:"baseline"`
	BySeverity map[string]int `json:"by_severity"`
	Threshold  string         `json:"threshold"`
	Policies   int            `json:"policies"`
	Resources  int            `json:"resources"`
	Objects    int            `json:"objects"`
	Passed     bool           `json:"passed"`
}

// Status is what a finding is for the run, as every format counts it.
type Status string

// Statuses, in the order a report lists them.
const (
	Failed     Status = "failed"
	Below      Status = "below threshold" // a deny finding under --severity
	Warning    Status = "warning"
	Baselined  Status = "baseline"
	Suppressed Status = "suppressed"
	Waived     Status = "waived"
)

// Statuses are every status, in the order a report lists them.
var Statuses = []Status{Failed, Below, Warning, Baselined, Suppressed, Waived}

// StatusOf is f's status in a run with this threshold.
func StatusOf(f finding.Finding, threshold finding.Severity) Status {
	switch {
	case f.Waived:
		return Waived
	case f.Suppressed != nil:
		return Suppressed
	case f.Baseline:
		return Baselined
	case f.Level == finding.Warn:
		return Warning
	case f.Fails(threshold):
		return Failed
	}
	return Below
}

// Summarize counts the report's findings.
func (r *Report) Summarize() Summary {
	s := Summary{BySeverity: map[string]int{}, Threshold: r.Threshold.String(),
		Policies: len(r.Policies), Resources: r.Resources, Objects: r.Objects}
	for _, sev := range []finding.Severity{finding.Low, finding.Medium, finding.High, finding.Critical} {
		s.BySeverity[sev.String()] = 0
	}
	for _, f := range r.Findings {
		s.Findings++
		switch StatusOf(f, r.Threshold) {
		case Waived:
			s.Waived++
		case Suppressed:
			s.Suppressed++
		case Baselined:
			s.Baseline++
		case Warning:
			s.Warnings++
		case Failed:
			s.Failures++
		}
		if !f.Waived {
			s.BySeverity[f.Severity.String()]++
		}
	}
	s.Passed = s.Failures == 0
	return s
}

// Writer writes a T (a check's report, a test run's cases) in one format.
type Writer[T any] func(w io.Writer, v T, opts Options) error

// Writers are one output's formats, by name: guard check's reports and
// guard test's results are both written through them.
type Writers[T any] map[string]Writer[T]

// Names lists the format names, sorted.
func (ws Writers[T]) Names() []string { return slices.Sorted(maps.Keys(ws)) }

// Write writes v in the named format.
func (ws Writers[T]) Write(w io.Writer, format string, v T, opts Options) error {
	wr, ok := ws[format]
	if !ok {
		return fmt.Errorf("unknown format %q (want one of %v)", format, ws.Names())
	}
	return wr(w, v, opts)
}

// Options change presentation only, never content.
type Options struct {
	Color bool // ANSI colour in text output (a terminal)
}

var writers = Writers[*Report]{
	"text":   writeText,
	"json":   writeJSON,
	"sarif":  writeSARIF,
	"junit":  writeJUnit,
	"github": writeGitHub,
	"html":   writeHTML,
}

// Formats lists the format names of a check's report, sorted.
func Formats() []string { return writers.Names() }

// Write writes r in the named format.
func Write(w io.Writer, format string, r *Report, opts Options) error {
	if _, ok := writers[format]; ok {
		finding.Sort(r.Findings)
	}
	return writers.Write(w, format, r, opts)
}

func location(f finding.Finding) string {
	switch {
	case f.File == "":
		return ""
	case f.Line > 0:
		return fmt.Sprintf("%s:%d", f.File, f.Line)
	}
	return f.File
}

// baselineCount is the summary's part on inline suppressions, where there
// were any, and on the baseline, only in a check that had one.
func (r *Report) baselineCount(s Summary) string {
	suppressed := ""
	if s.Suppressed > 0 {
		suppressed = fmt.Sprintf(", %d suppressed", s.Suppressed)
	}
	if !r.HasBaseline {
		return suppressed
	}
	return fmt.Sprintf("%s, %d in the baseline", suppressed, s.Baseline)
}

// suppressedText says what suppresses a finding, for the text formats.
func suppressedText(f finding.Finding) string {
	if f.Suppressed == nil {
		return ""
	}
	return fmt.Sprintf(" (suppressed until %s at %s:%d: %s)", f.Suppressed.Until, f.Suppressed.File, f.Suppressed.Line, f.Suppressed.Reason)
}

// label is what a finding is called in text-like formats: its level and severity.
func label(f finding.Finding) string {
	switch {
	case f.Waived:
		return "WAIVED"
	case f.Suppressed != nil:
		return "SUPPRESSED"
	case f.Level == finding.Warn:
		return "WARN"
	case f.Baseline:
		return f.Severity.String() + " (baseline)"
	}
	return f.Severity.String()
}
