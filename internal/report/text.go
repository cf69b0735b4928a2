package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/acme/guard/internal/finding"
)

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

// writeText groups findings by file: one heading per file, then one line per
// finding with file:line, policy id, severity, message and resource, then a
// one-line summary.
func writeText(w io.Writer, r *Report, opts Options) error {
	paint := func(code, s string) string {
		if !opts.Color {
			return s
		}
		return code + s + ansiReset
	}
	var b strings.Builder
	current := "\x00"
	for _, f := range r.Findings {
		file := f.File
		if file == "" {
			file = "(no source location)"
		}
		if file != current {
			if current != "\x00" {
				b.WriteString("\n")
			}
			b.WriteString(paint(ansiBold, file) + "\n")
			current = file
		}
		loc := location(f)
		if loc == "" {
			loc = "-"
		}
		lbl := label(f)
		color := ansiYellow
		if f.Fails(r.Threshold) {
			color = ansiRed
		} else if f.Waived || f.Baseline || f.Suppressed != nil {
			color = ansiDim
		}
		fmt.Fprintf(&b, "  %s  %s  %s  %s%s", loc, paint(ansiCyan, f.PolicyID), paint(color, lbl), f.Message, suppressedText(f))
		if f.Resource != "" && !strings.Contains(f.Message, f.Resource) {
			fmt.Fprintf(&b, "  %s", paint(ansiDim, "("+f.Resource+")"))
		}
		if via := f.ViaText(); via != "" {
			fmt.Fprintf(&b, "  %s", paint(ansiDim, via))
		}
		b.WriteString("\n")
	}
	if len(r.Findings) > 0 {
		b.WriteString("\n")
	}
	if len(r.Unread) > 0 {
		// The messages themselves go to standard error, as every error does.
		fmt.Fprintf(&b, "%s %s could not be read (named on standard error): the findings are those of the rest.\n", paint(ansiRed, "INCOMPLETE:"), plural(len(r.Unread), "input"))
	}
	s := r.Summarize()
	checked := fmt.Sprintf("%s and %s checked against %s", plural(s.Resources, "resource"), plural(s.Objects, "object"), plural(s.Policies, "policy"))
	if s.Findings == 0 {
		fmt.Fprintf(&b, "%s: no findings.\n", checked)
	} else {
		var parts []string
		for _, sev := range []finding.Severity{finding.Critical, finding.High, finding.Medium, finding.Low} {
			if n := s.BySeverity[sev.String()]; n > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", n, sev))
			}
		}
		verdict := paint(ansiRed, "FAILED")
		if s.Passed {
			verdict = "passed"
		}
		severities := ""
		if len(parts) > 0 { // none when every finding is waived or in the baseline
			severities = " (" + strings.Join(parts, ", ") + ")"
		}
		fmt.Fprintf(&b, "%s: %s%s, %d failing at %s or above, %s, %d waived%s: %s.\n",
			checked, plural(s.Findings, "finding"), severities, s.Failures, s.Threshold, plural(s.Warnings, "warning"), s.Waived, r.baselineCount(s), verdict)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func plural(n int, noun string) string {
	switch {
	case n == 1:
		return fmt.Sprintf("%d %s", n, noun)
	case strings.HasSuffix(noun, "y"):
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
