package report

import (
	"bytes"
	"encoding/json"
	"path/filepath"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/limits"
)

// Baseline is an earlier JSON report's findings: known, accepted for now.
// A finding is matched by policy, resource and message, never by line
// (an edit above it moves it without changing it).
type Baseline struct {
	counts map[baselineKey]int
}

type baselineKey struct{ policy, resource, message string }

// ReadBaseline reads a report that `guard check --format json` wrote.
func ReadBaseline(path string) (*Baseline, error) {
	data, err := limits.ReadFile(path, limits.Default, filepath.ToSlash)
	if err != nil {
		return nil, err
	}
	var rep struct {
		Findings *[]finding.Finding `json:"findings"`
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&rep); err != nil {
		return nil, &diag.Error{File: filepath.ToSlash(path), Line: lineAt(data, dec.InputOffset()), Msg: "not a guard JSON report: " + err.Error()}
	}
	if rep.Findings == nil {
		return nil, &diag.Error{File: filepath.ToSlash(path), Msg: "not a guard JSON report (guard check --format json): it has no findings list"}
	}
	b := &Baseline{counts: map[baselineKey]int{}}
	for _, f := range *rep.Findings {
		b.counts[keyOf(f)]++
	}
	return b, nil
}

func keyOf(f finding.Finding) baselineKey {
	return baselineKey{f.PolicyID, f.Resource, f.Message}
}

// Mark sets Baseline on the findings the baseline holds: as many of each
// as it held (a second identical finding is new). Findings are sorted, so
// which of two identical ones is marked does not vary.
func (b *Baseline) Mark(fs []finding.Finding) {
	left := make(map[baselineKey]int, len(b.counts))
	for k, n := range b.counts {
		left[k] = n
	}
	for i := range fs {
		k := keyOf(fs[i])
		if left[k] > 0 {
			left[k]--
			fs[i].Baseline = true
		}
	}
}

func lineAt(data []byte, offset int64) int {
	if offset > int64(len(data)) {
		offset = int64(len(data))
	}
	return 1 + bytes.Count(data[:offset], []byte("\n"))
}
