package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/acme/guard/internal/finding"
)

func sample() *Report {
	return &Report{
		Version: "test", Threshold: finding.High, Resources: 2, Objects: 1,
		Policies: []finding.Policy{{ID: "P-1", Title: "t", Severity: finding.High}, {ID: "P-2", Title: "u", Severity: finding.Low}},
		Findings: []finding.Finding{
			{PolicyID: "P-2", Severity: finding.Low, Level: finding.Deny, Resource: "b", Message: "low, below the threshold", File: "b.tf", Line: 3},
			{PolicyID: "P-1", Severity: finding.High, Level: finding.Deny, Resource: "a", Message: "50% off: a,b\nsecond line", File: "a.tf", Line: 7},
			{PolicyID: "P-1", Severity: finding.High, Level: finding.Deny, Resource: "c", Message: "waived", File: "a.tf", Line: 9, Waived: true},
		},
	}
}

func TestSummaryAndThreshold(t *testing.T) {
	r := sample()
	s := r.Summarize()
	if s.Findings != 3 || s.Failures != 1 || s.Waived != 1 || s.BySeverity["LOW"] != 1 || s.BySeverity["HIGH"] != 1 || s.Passed || !r.Failed() {
		t.Errorf("summary %+v", s)
	}
	r.Threshold = finding.Critical
	if r.Failed() {
		t.Error("no finding is CRITICAL")
	}
}

func TestFormats(t *testing.T) {
	tests := []struct {
		format string
		want   []string
	}{
		{"text", []string{"a.tf\n  a.tf:7  P-1  HIGH  50% off", "b.tf\n  b.tf:3  P-2  LOW  low, below the threshold", "a.tf:9  P-1  WAIVED", "2 resources and 1 object checked against 2 policies: 3 findings (1 HIGH, 1 LOW), 1 failing at HIGH or above, 0 warnings, 1 waived: FAILED."}},
		{"github", []string{"::error file=a.tf,line=7,title=P-1 (HIGH)::50%25 off: a,b%0Asecond line (a)", "2 resources and 1 object checked against 2 policies", "::warning file=b.tf,line=3,title=P-2 (LOW)::", "::notice file=a.tf,line=9"}},
		{"json", []string{`"failures": 1`, `"policy": "P-1"`}},
	}
	for _, tt := range tests {
		var b bytes.Buffer
		if err := Write(&b, tt.format, sample(), Options{}); err != nil {
			t.Fatal(err)
		}
		for _, w := range tt.want {
			if !strings.Contains(b.String(), w) {
				t.Errorf("%s output lacks %q:\n%s", tt.format, w, b.String())
			}
		}
	}
	if err := Write(&bytes.Buffer{}, "xml", sample(), Options{}); err == nil {
		t.Error("an unknown format is an error")
	}
	var colored bytes.Buffer
	Write(&colored, "text", sample(), Options{Color: true})
	if !strings.Contains(colored.String(), ansiRed) {
		t.Error("colour on a terminal")
	}
}
