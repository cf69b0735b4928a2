// Package finding holds what the engines produce and the reports print:
// policies (with their metadata) and findings (a policy's verdict on one resource).
package finding

import (
	"fmt"
	"sort"
	"strings"
)

// Severity orders findings; the run fails on deny findings at or above a threshold.
type Severity int

// Severities, lowest first.
const (
	Low Severity = iota + 1
	Medium
	High
	Critical
)

var severityNames = map[Severity]string{Low: "LOW", Medium: "MEDIUM", High: "HIGH", Critical: "CRITICAL"}

func (s Severity) String() string { return severityNames[s] }

// MarshalText writes the severity's name.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText reads a severity's name (a JSON report read back as a baseline).
func (s *Severity) UnmarshalText(text []byte) error {
	v, err := ParseSeverity(string(text))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// ParseSeverity reads LOW, MEDIUM, HIGH or CRITICAL, in any case.
func ParseSeverity(s string) (Severity, error) {
	for sev, name := range severityNames {
		if strings.EqualFold(s, name) {
			return sev, nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q (want LOW, MEDIUM, HIGH or CRITICAL)", s)
}

// Policy is one rule set, with the metadata its author annotated.
type Policy struct {
	ID          string   `json:"id"`
	Engine      string   `json:"engine"`
	Title       string   `json:"title"`
	Description string   `json:"description,omitempty"`
	Remediation string   `json:"remediation,omitempty"`
	Severity    Severity `json:"severity"`
	Controls    []string `json:"controls"`
	// Peers are the ids other scanners give the same check (Trivy's AVD-*),
	// so users moving from them find theirs.
	Peers []string `json:"peers,omitempty"`
	// Profile is the profile the policy belongs to ("" for the default
	// set); Parameters the library parameters it reads.
	Profile    string   `json:"profile,omitempty"`
	Parameters []string `json:"parameters,omitempty"`
	// Name is how the engine knows it: the Rego package ("data.guard.terraform.gke_private").
	Name string `json:"name"`
	File string `json:"file"`
	Line int    `json:"line"`
}

// Level is deny (fails the run at or above the threshold) or warn (never fails).
type Level string

// Levels.
const (
	Deny Level = "deny"
	Warn Level = "warn"
)

// Finding is one policy's verdict on one resource or object.
type Finding struct {
	PolicyID string   `json:"policy"`
	Title    string   `json:"title"`
	Severity Severity `json:"severity"`
	Controls []string `json:"controls"`
	Engine   string   `json:"engine"`
	Level    Level    `json:"level"`
	// Resource is the ID of the input item (a Terraform resource or Kubernetes object).
	Resource string `json:"resource"`
	Message  string `json:"message"`
	File     string `json:"file"`
	Line     int    `json:"line"`
	// Via are the module calls that lead to File, from the root inward.
	Via    []Call `json:"via,omitempty"`
	Waived bool   `json:"waived"`
	// ExceptedBy are the exceptions (namespace/name) that cover the
	// finding: an engine that matches exceptions itself names them, and the
	// exception stage waives the finding.
	ExceptedBy []string `json:"-"`
	// Baseline says the finding was already in the --baseline report: it
	// is reported, and does not fail the run.
	Baseline bool `json:"baseline"`
	// Suppressed is the inline suppression (guard:ignore) that covers the
	// finding until its date: reported, not failing.
	Suppressed *Suppression `json:"suppressed,omitempty"`
}

// Suppression is a guard:ignore comment where the code is.
type Suppression struct {
	Reason string `json:"reason"`
	Until  string `json:"until"`
	File   string `json:"file"`
	Line   int    `json:"line"`
}

// Call is a module block that leads to a finding's file: where the user
// chose the module's inputs.
type Call struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Module string `json:"module"`
}

// ViaText is the call chain as text shows it: "via main.tf:35 module.gke".
func (f Finding) ViaText() string {
	if len(f.Via) == 0 {
		return ""
	}
	parts := make([]string, len(f.Via))
	for i, c := range f.Via {
		parts[i] = fmt.Sprintf("%s:%d %s", c.File, c.Line, c.Module)
	}
	return "via " + strings.Join(parts, ", ")
}

// Fails says whether the finding fails a run with this threshold.
func (f Finding) Fails(threshold Severity) bool {
	return f.Level == Deny && !f.Waived && !f.Baseline && f.Suppressed == nil && f.Severity >= threshold
}

// Sort orders findings by file, line, policy, resource and message, so that
// every report is the same for the same input.
func Sort(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		switch {
		case a.File != b.File:
			return a.File < b.File
		case a.Line != b.Line:
			return a.Line < b.Line
		case a.PolicyID != b.PolicyID:
			return a.PolicyID < b.PolicyID
		case a.Resource != b.Resource:
			return a.Resource < b.Resource
		case a.Level != b.Level:
			return a.Level < b.Level
		}
		return a.Message < b.Message
	})
}

// SortPolicies orders policies by ID.
func SortPolicies(ps []Policy) {
	sort.SliceStable(ps, func(i, j int) bool { return ps[i].ID < ps[j].ID })
}
