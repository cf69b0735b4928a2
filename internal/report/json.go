package report

import (
	"encoding/json"
	"io"

	"github.com/acme/guard/internal/finding"
)

// jsonReport is the documented, stable JSON output (see README, "JSON output").
type jsonReport struct {
	Version  string            `json:"version"`
	Summary  Summary           `json:"summary"`
	Findings []finding.Finding `json:"findings"`
	Policies []finding.Policy  `json:"policies"`
	// Errors are the inputs that could not be read (the run exits 2).
	Errors []string `json:"errors,omitempty"`
}

func writeJSON(w io.Writer, r *Report, _ Options) error {
	out := jsonReport{Version: r.Version, Summary: r.Summarize(), Findings: r.Findings, Policies: r.Policies, Errors: r.Unread}
	if out.Findings == nil {
		out.Findings = []finding.Finding{}
	}
	if out.Policies == nil {
		out.Policies = []finding.Policy{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
