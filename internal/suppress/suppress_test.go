package suppress

import (
	"strings"
	"testing"
	"time"

	"github.com/acme/guard/internal/finding"
)

var now = time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)

func known(id string) bool { return id == "GKE-002" || id == "K8S-007" }

func TestParse(t *testing.T) {
	src := `resource "google_container_cluster" "c" {
  # guard:ignore GKE-002 until=2027-03-01 reason="public until the VPN lands"
  private_cluster_config {
    enable_private_endpoint = false // guard:ignore GKE-002 until=2027-01-01 reason="also \"quoted\""
  }
}
`
	sups, err := Parse("main.tf", []byte(src), known, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if len(sups) != 2 {
		t.Fatalf("%+v", sups)
	}
	// Above: the next line of code; at the end of a line: that line.
	if s := sups[0]; s.Line != 2 || s.Target != 3 || s.Reason != "public until the VPN lands" || s.Until.Format(time.DateOnly) != "2027-03-01" {
		t.Errorf("above: %+v", s)
	}
	if s := sups[1]; s.Line != 4 || s.Target != 4 || s.Reason != `also "quoted"` {
		t.Errorf("trailing: %+v", s)
	}
}

func TestParseErrors(t *testing.T) {
	for _, tt := range []struct {
		comment string
		opts    Options
		want    string
	}{
		{`# guard:ignore GKE-002 until=2027-01-01`, Options{}, `main.tf:1: guard:ignore: GKE-002: a reason is required`},
		{`# guard:ignore GKE-002 reason="x"`, Options{}, `main.tf:1: guard:ignore: GKE-002: an end date is required`},
		{`# guard:ignore until=2027-01-01 reason="x"`, Options{}, `main.tf:1: guard:ignore: want a policy id`},
		{`# guard:ignore NOPE-1 until=2027-01-01 reason="x"`, Options{}, `NOPE-1: no policy with this id is loaded`},
		{`# guard:ignore GKE-002 until=01/01/2027 reason="x"`, Options{}, `until=01/01/2027: want a date`},
		{`# guard:ignore GKE-002 until=2028-01-01 reason="x"`, Options{}, `more than 365 days ahead`},
		{`# guard:ignore GKE-002 until=2027-01-20 reason="x"`, Options{MaxDays: 30}, `more than 30 days ahead`},
		{`# guard:ignore GKE-002 until=2027-01-01 reason="x"`, Options{Forbidden: []string{"GKE-002"}}, `GKE-002 may not be suppressed inline`},
		{`# guard:ignore GKE-002 until=2027-01-01 because="x"`, Options{}, `unknown field because`},
	} {
		tt.opts.Now = now
		_, err := Parse("main.tf", []byte(tt.comment+"\nresource \"x\" \"y\" {}\n"), known, tt.opts)
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: error %v, want %q", tt.comment, err, tt.want)
		}
	}
}

func TestSpans(t *testing.T) {
	tf := "resource \"a\" \"b\" {\n  x = 1\n}\n\nresource \"a\" \"c\" {\n}\n"
	if got := Spans("main.tf", []byte(tf)); len(got) != 2 || got[0] != (Span{1, 3}) || got[1] != (Span{5, 6}) {
		t.Errorf("HCL spans %v", got)
	}
	yaml := "# lead\napiVersion: v1\nkind: Pod\n---\napiVersion: v1\nkind: Service\n"
	if got := Spans("x.yaml", []byte(yaml)); len(got) != 2 || got[0] != (Span{1, 3}) || got[1] != (Span{5, 7}) {
		t.Errorf("YAML spans %v", got)
	}
}

func TestApply(t *testing.T) {
	spans := func(string) []Span { return []Span{{1, 6}, {8, 12}} }
	sup := func(policy string, target int, until string) Suppression {
		u, _ := time.Parse(time.DateOnly, until)
		return Suppression{Policy: policy, Until: u, Reason: "why", File: "main.tf", Line: target - 1, Target: target}
	}
	fs := []finding.Finding{
		{PolicyID: "GKE-002", Level: finding.Deny, Severity: finding.High, File: "main.tf", Line: 1, Message: "public"},
		{PolicyID: "GKE-002", Level: finding.Deny, Severity: finding.High, File: "main.tf", Line: 8, Message: "other block"},
		{PolicyID: "K8S-007", Level: finding.Deny, File: "main.tf", Line: 8, Message: "expired"},
	}
	out := Apply(fs, []Suppression{
		sup("GKE-002", 3, "2027-01-01"),  // in the first block
		sup("K8S-007", 9, "2026-12-06"),  // expired yesterday
		sup("GKE-002", 14, "2027-01-01"), // outside every block with a finding
	}, spans, now)
	if out[0].Suppressed == nil || out[0].Suppressed.Until != "2027-01-01" || out[0].Fails(finding.Low) {
		t.Errorf("first block: %+v", out[0])
	}
	if out[1].Suppressed != nil || !out[1].Fails(finding.Low) {
		t.Errorf("another block is not covered: %+v", out[1])
	}
	if out[2].Suppressed != nil || !strings.Contains(out[2].Message, "suppression expired on 2026-12-06") {
		t.Errorf("expired: %+v", out[2])
	}
	if len(out) != 4 || out[3].PolicyID != UnusedID || out[3].Level != finding.Warn || out[3].Line != 13 {
		t.Errorf("unused: %+v", out[3:])
	}
	// The day it ends, a suppression still holds.
	last := Apply([]finding.Finding{{PolicyID: "K8S-007", Level: finding.Deny, File: "main.tf", Line: 8}}, []Suppression{sup("K8S-007", 9, "2026-12-07")}, spans, now)
	if last[0].Suppressed == nil {
		t.Errorf("on its last day: %+v", last[0])
	}
}
