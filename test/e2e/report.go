package e2e

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
)

// Report is the parity report: every object with both verdicts.
type Report struct {
	Objects    int   `json:"objects"`
	Mismatches int   `json:"mismatches"`
	Rows       []Row `json:"rows"`
}

// NewReport counts the rows' mismatches.
func NewReport(rows []Row) Report {
	r := Report{Objects: len(rows), Rows: rows}
	for _, row := range rows {
		if !row.Match {
			r.Mismatches++
		}
	}
	return r
}

// Write saves the report as admission-parity.txt and .json in dir.
func (r Report) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "admission-parity.json"), append(data, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "admission-parity.txt"), []byte(r.Text()), 0o644)
}

// Text is the report as a table.
func (r Report) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "admission parity: %d objects, %d mismatches\n\n", r.Objects, r.Mismatches)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "GROUP\tOBJECT\tCLUSTER\tGUARD\tMATCH")
	for _, row := range r.Rows {
		match := "yes"
		if !row.Match {
			match = "NO: " + row.Mismatch
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", row.Group, row.Name, row.Cluster.String(), row.Guard.String(), match)
	}
	tw.Flush()
	return b.String()
}

func (v ClusterVerdict) String() string {
	s := "admitted"
	if !v.Admitted {
		s = "denied by " + v.DeniedBy
	}
	if v.PodSecurity && v.DeniedBy != PodSecurity {
		s += " (PodSecurity warns)"
	}
	return s
}

func (g GuardVerdict) String() string {
	if len(g.Denies) == 0 {
		return "admitted"
	}
	return "denied by " + strings.Join(g.Denies, ", ")
}
