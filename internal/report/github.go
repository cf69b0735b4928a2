package report

import (
	"fmt"
	"io"
	"strings"
)

// writeGitHub prints GitHub Actions workflow commands: an error annotation per
// failing finding, a warning for the rest, then a notice with the summary.
func writeGitHub(w io.Writer, r *Report, _ Options) error {
	var b strings.Builder
	for _, f := range r.Findings {
		if f.Suppressed != nil {
			continue // accepted where the code is: no annotation
		}
		cmd := "warning"
		if f.Fails(r.Threshold) {
			cmd = "error"
		} else if f.Waived || f.Baseline {
			cmd = "notice"
		}
		var props []string
		if f.File != "" {
			props = append(props, "file="+escapeProperty(f.File))
			if f.Line > 0 {
				props = append(props, fmt.Sprintf("line=%d", f.Line))
			}
		}
		props = append(props, "title="+escapeProperty(fmt.Sprintf("%s (%s)", f.PolicyID, label(f))))
		msg := f.Message
		if f.Resource != "" {
			msg += " (" + f.Resource + ")"
		}
		fmt.Fprintf(&b, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(msg))
	}
	for _, e := range r.Unread {
		fmt.Fprintf(&b, "::error title=guard (input not read)::%s\n", escapeData(e))
	}
	s := r.Summarize()
	fmt.Fprintf(&b, "::notice title=guard::%s\n", escapeData(fmt.Sprintf("%s, %d failing at %s or above, %s, %d waived%s; %s and %s checked against %s",
		plural(s.Findings, "finding"), s.Failures, s.Threshold, plural(s.Warnings, "warning"), s.Waived, r.baselineCount(s),
		plural(s.Resources, "resource"), plural(s.Objects, "object"), plural(s.Policies, "policy"))))
	_, err := io.WriteString(w, b.String())
	return err
}

func escapeData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

func escapeProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}
