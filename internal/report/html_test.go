package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
)

// The HTML report places each finding in its scope's column, names who
// accepted what, and escapes what the input says: a message is text,
// never markup.
func TestHTMLReport(t *testing.T) {
	in := &input.Input{Terraform: input.Terraform{Resources: []input.Resource{
		{ID: "a", Stack: "base", Module: `module.region["primary"]`},
		{ID: "b", Stack: "base", Provider: "helm.secondary"},
		{ID: "c", Stack: "base", Type: "google_container_cluster", Values: map[string]any{"location": "europe-west4", "name": "gke-b"}},
	}}}
	r := sample()
	r.Scopes = ScopesOf(in)
	r.Findings[1].Message = `<script>alert(1)</script>`
	r.Findings = append(r.Findings,
		finding.Finding{PolicyID: "P-2", Severity: finding.Low, Level: finding.Deny, Resource: "c", Message: "inline", File: "c.tf", Line: 1,
			Suppressed: &finding.Suppression{Reason: "accepted for the pilot", Until: "2027-01-31", File: "c.tf", Line: 1}},
		finding.Finding{PolicyID: "EXC-002", Severity: finding.Low, Level: finding.Warn, Resource: "PolicyException/x/y", Message: "unused"})
	r.Findings[2].ExceptedBy = []string{"platform/legacy"}
	r.Exceptions = map[string]Exception{"platform/legacy": {Owner: "team-a", Reason: "migrating by March", Expires: "2027-03-01", File: "x.yaml", Line: 4}}
	var b bytes.Buffer
	if err := Write(&b, "html", r, Options{}); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`data-scope="base/primary"`, `data-scope="base/secondary"`, `data-scope="base/europe-west4"`, `<code>gke-b</code>`,
		`data-scope="other/exceptions and suppressions"`,
		`&lt;script&gt;alert(1)&lt;/script&gt;`,
		`PolicyException platform/legacy (<code>x.yaml:4</code>)</td><td>team-a</td><td>migrating by March</td><td>2027-03-01</td>`,
		`inline guard:ignore (<code>c.tf:1</code>)</td><td>—</td><td>accepted for the pilot</td><td>2027-01-31</td>`,
		`<tr data-policy="P-1">`, `data-status="failed" data-n="1"`, `data-status="below threshold" data-n="1"`,
		`data-verdict="failed"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("the HTML report lacks %s", want)
		}
	}
	r.Unread = []string{"broken.tf:3: unexpected token"}
	b.Reset()
	if err := Write(&b, "html", r, Options{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `data-verdict="incomplete">INCOMPLETE: 1 input could not be read`) || !strings.Contains(b.String(), "<code>broken.tf:3: unexpected token</code>") {
		t.Error("an incomplete check's report does not say so")
	}
	for _, never := range []string{"<script>", "<link", "src=", "http://", "https://", "@import", "url("} {
		if strings.Contains(out, never) {
			t.Errorf("the HTML report is not self-contained: it has %q", never)
		}
	}
}
