// Package suppress reads inline suppressions, comments where the code is:
//
//	# guard:ignore POLICY-ID until=YYYY-MM-DD reason="why"
//
// on the line above a block, object, attribute or field, or at the end of
// its line, in HCL (# or //), YAML manifests and chart templates. A
// suppression covers the findings of its policy on the block or object it
// is written in (or right above); it ends on its date, and says so.
package suppress

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/finding"
)

// UnusedID is guard's own check that every suppression matches a finding.
const UnusedID = "SUP-001"

// Suppression is one guard:ignore comment.
type Suppression struct {
	Policy string
	Until  time.Time
	Reason string
	File   string
	// Line is the comment's line; Target the line it is about (its own, or
	// the next line of code below a comment of its own).
	Line, Target int
}

// Options are a repository's rules for suppressions (.guard.yaml).
type Options struct {
	// MaxDays is how far ahead until may be (default 365).
	MaxDays int
	// Forbidden are the policies no inline suppression may cover.
	Forbidden []string
	Now       time.Time
}

var (
	marker = regexp.MustCompile(`(#|//)\s*guard:ignore\b(.*)$`)
	field  = regexp.MustCompile(`^\s*([A-Za-z]+)=("(?:[^"\\]|\\.)*"|\S+)`)
	id     = regexp.MustCompile(`^\s*([A-Za-z0-9][A-Za-z0-9._-]*)`)
)

// Parse reads the suppressions of one file. known says whether a policy id
// is loaded. A suppression without an id, a reason or a date, with an id
// no policy has, a date too far ahead, or of a policy the repository keeps
// central, is an error naming file:line.
func Parse(file string, data []byte, known func(string) bool, opts Options) ([]Suppression, error) {
	if opts.MaxDays <= 0 {
		opts.MaxDays = 365
	}
	lines := strings.Split(string(data), "\n")
	var out []Suppression
	for i, line := range lines {
		m := marker.FindStringSubmatchIndex(line)
		if m == nil || strings.HasPrefix(strings.TrimSpace(line[m[3]:]), "guard:ignore-") {
			continue
		}
		fail := func(format string, args ...any) error {
			return &diag.Error{File: file, Line: i + 1, Msg: "guard:ignore: " + fmt.Sprintf(format, args...)}
		}
		s := Suppression{File: file, Line: i + 1}
		rest := line[m[4]:m[5]]
		idm := id.FindStringSubmatch(rest)
		if idm == nil || strings.HasPrefix(rest[len(idm[0]):], "=") {
			return nil, fail(`want a policy id: guard:ignore POLICY-ID until=YYYY-MM-DD reason="..."`)
		}
		s.Policy, rest = idm[1], rest[len(idm[0]):]
		for strings.TrimSpace(rest) != "" {
			fm := field.FindStringSubmatch(rest)
			if fm == nil {
				return nil, fail("cannot read %q: want until=YYYY-MM-DD and reason=\"...\"", strings.TrimSpace(rest))
			}
			rest = rest[len(fm[0]):]
			value := fm[2]
			if strings.HasPrefix(value, `"`) {
				value = strings.ReplaceAll(value[1:len(value)-1], `\"`, `"`)
			}
			switch fm[1] {
			case "until":
				t, err := time.Parse(time.DateOnly, value)
				if err != nil {
					return nil, fail("until=%s: want a date, YYYY-MM-DD", value)
				}
				s.Until = t
			case "reason":
				s.Reason = strings.TrimSpace(value)
			default:
				return nil, fail("unknown field %s (fields: until, reason)", fm[1])
			}
		}
		switch {
		case s.Reason == "":
			return nil, fail("%s: a reason is required (reason=\"...\")", s.Policy)
		case s.Until.IsZero():
			return nil, fail("%s: an end date is required (until=YYYY-MM-DD)", s.Policy)
		case !known(s.Policy):
			return nil, fail("%s: no policy with this id is loaded (see guard policies)", s.Policy)
		case slices.Contains(opts.Forbidden, s.Policy):
			return nil, fail("%s may not be suppressed inline (.guard.yaml no-inline-suppression): ask for a PolicyException", s.Policy)
		case s.Until.After(opts.Now.AddDate(0, 0, opts.MaxDays)):
			return nil, fail("%s: until=%s is more than %d days ahead (.guard.yaml max-suppression-days)", s.Policy, s.Until.Format(time.DateOnly), opts.MaxDays)
		}
		s.Target = target(lines, i, m[0])
		out = append(out, s)
	}
	return out, nil
}

// target is the line a suppression at line i (its marker at col) is about:
// its own when code precedes the comment, else the next line of code.
func target(lines []string, i, col int) int {
	if strings.TrimSpace(lines[i][:col]) != "" {
		return i + 1
	}
	for j := i + 1; j < len(lines); j++ {
		t := strings.TrimSpace(lines[j])
		if t == "" || strings.HasPrefix(t, "#") || strings.HasPrefix(t, "//") {
			continue
		}
		return j + 1
	}
	return i + 1
}

// Span is the lines of one block or object of a file: a suppression whose
// target falls in it covers findings of the item that starts there.
type Span struct{ From, To int }

// Apply marks the findings suppressions cover: a finding of the policy,
// in the file, whose item's span (spans(file) holds the file's, each
// finding's own found by its line) holds the suppression's target. An
// expired one suppresses nothing and says so in the finding's message; one
// that covers nothing is a warning.
func Apply(fs []finding.Finding, sups []Suppression, spans func(file string) []Span, now time.Time) []finding.Finding {
	used := make([]bool, len(sups))
	for i := range fs {
		f := &fs[i]
		if f.Level != finding.Deny || f.Waived || f.File == "" {
			continue
		}
		item := spanOf(spans(f.File), f.Line)
		for k, s := range sups {
			if s.Policy != f.PolicyID || s.File != f.File || s.Target < item.From || s.Target > item.To {
				continue
			}
			used[k] = true
			if now.After(s.Until.AddDate(0, 0, 1)) || now.Equal(s.Until.AddDate(0, 0, 1)) {
				f.Message += fmt.Sprintf(" (suppression expired on %s, %s:%d)", s.Until.Format(time.DateOnly), s.File, s.Line)
				break
			}
			f.Suppressed = &finding.Suppression{Reason: s.Reason, Until: s.Until.Format(time.DateOnly), File: s.File, Line: s.Line}
			break
		}
	}
	for k, s := range sups {
		if !used[k] {
			fs = append(fs, finding.Finding{
				PolicyID: UnusedID, Title: Policy.Title, Severity: Policy.Severity, Controls: []string{}, Engine: "guard", Level: finding.Warn,
				Resource: fmt.Sprintf("%s:%d", s.File, s.Line), File: s.File, Line: s.Line,
				Message: fmt.Sprintf("guard:ignore %s (until %s) suppresses no finding of %s here: remove it", s.Policy, s.Until.Format(time.DateOnly), s.Policy),
			})
		}
	}
	return fs
}

// Policy describes guard's check of the suppressions.
var Policy = finding.Policy{
	ID: UnusedID, Engine: "guard", Title: "Every inline suppression suppresses a finding", Severity: finding.Low,
	Controls: []string{}, Remediation: "Remove the guard:ignore comment: what it suppressed is gone.",
	Description: "A guard:ignore comment that covers no finding of its policy on its block or object is stale: it would hide the next violation written there.",
}

// spanOf is the span that holds line (the line alone when none does).
func spanOf(spans []Span, line int) Span {
	for _, s := range spans {
		if s.From <= line && line <= s.To {
			return s
		}
	}
	return Span{line, line}
}

// Spans are the blocks of a Terraform file (top-level blocks) or the
// documents of a YAML file or chart template, by their lines.
func Spans(file string, data []byte) []Span {
	if strings.HasSuffix(file, ".tf") {
		f, diags := hclsyntax.ParseConfig(data, file, hcl.InitialPos)
		if diags.HasErrors() {
			return nil
		}
		body, ok := f.Body.(*hclsyntax.Body)
		if !ok {
			return nil
		}
		var out []Span
		for _, b := range body.Blocks {
			out = append(out, Span{b.Range().Start.Line, b.Range().End.Line})
		}
		return out
	}
	var out []Span
	from := 1
	lines := strings.Split(string(data), "\n")
	for i, line := range lines {
		if strings.HasPrefix(line, "---") {
			if i+1 > from {
				out = append(out, Span{from, i})
			}
			from = i + 2
		}
	}
	return append(out, Span{from, len(lines)})
}
