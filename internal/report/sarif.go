package report

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/acme/guard/internal/finding"
)

// SARIF 2.1.0, the subset code scanning reads: one run, one rule per policy
// (with help text and a security-severity), one result per finding located
// at the .tf block or chart template.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool    sarifTool     `json:"tool"`
	Results []sarifResult `json:"results"`
	// Invocations say, when inputs could not be read, that the run is
	// incomplete, with a notification per input.
	Invocations []sarifInvocation `json:"invocations,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version,omitempty"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name,omitempty"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId"`
	RuleIndex int             `json:"ruleIndex"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
	// RelatedLocations are the module calls that lead to the location.
	RelatedLocations []sarifLocation `json:"relatedLocations,omitempty"`
	// PartialFingerprints lets code scanning track a finding across commits.
	PartialFingerprints map[string]string `json:"partialFingerprints"`
	Suppressions        []sarifSuppress   `json:"suppressions,omitempty"`
	// BaselineState is "unchanged" for a finding the --baseline report
	// held, "new" for any other; absent without a baseline.
	BaselineState string `json:"baselineState,omitempty"`
}

type sarifSuppress struct {
	Kind          string `json:"kind"`
	Status        string `json:"status,omitempty"`
	Justification string `json:"justification,omitempty"`
}

type sarifLocation struct {
	ID               int           `json:"id,omitempty"`
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
	Message          *sarifText    `json:"message,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

// securitySeverity is the CVSS-like score GitHub maps to its severity levels.
var securitySeverity = map[finding.Severity]string{
	finding.Low: "3.0", finding.Medium: "5.5", finding.High: "8.0", finding.Critical: "9.5",
}

func sarifLevel(f finding.Finding, threshold finding.Severity) string {
	switch {
	case f.Fails(threshold):
		return "error"
	case f.Level == finding.Warn || f.Waived || f.Baseline || f.Suppressed != nil:
		return "warning"
	}
	return "note"
}

func writeSARIF(w io.Writer, r *Report, _ Options) error {
	driver := sarifDriver{Name: "guard", Version: r.Version, InformationURI: "https://github.com/acme/guard", Rules: []sarifRule{}}
	ruleIndex := map[string]int{}
	for _, p := range r.Policies {
		ruleIndex[p.ID] = len(driver.Rules)
		driver.Rules = append(driver.Rules, sarifRuleFor(p))
	}
	results := []sarifResult{}
	for _, f := range r.Findings {
		idx, ok := ruleIndex[f.PolicyID]
		if !ok { // a finding whose policy is not listed still needs a rule
			idx = len(driver.Rules)
			ruleIndex[f.PolicyID] = idx
			driver.Rules = append(driver.Rules, sarifRuleFor(finding.Policy{ID: f.PolicyID, Title: f.Title, Severity: f.Severity, Controls: f.Controls}))
		}
		res := sarifResult{
			RuleID: f.PolicyID, RuleIndex: idx, Level: sarifLevel(f, r.Threshold),
			Message:             sarifText{Text: sarifMessage(f)},
			PartialFingerprints: map[string]string{"guardFinding/v1": f.PolicyID + "|" + f.Resource + "|" + f.Message},
		}
		if f.File != "" {
			loc := sarifLocation{PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: f.File}}}
			if f.Line > 0 {
				loc.PhysicalLocation.Region = &sarifRegion{StartLine: f.Line}
			}
			res.Locations = []sarifLocation{loc}
		}
		for i, c := range f.Via {
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{ID: i + 1,
				PhysicalLocation: sarifPhysical{ArtifactLocation: sarifArtifact{URI: c.File}, Region: &sarifRegion{StartLine: c.Line}},
				Message:          &sarifText{Text: "called through " + c.Module}})
		}
		if f.Waived {
			res.Suppressions = []sarifSuppress{{Kind: "external"}}
		}
		// An inline suppression is in the source, accepted until its date:
		// code scanning shows the result as suppressed.
		if s := f.Suppressed; s != nil {
			res.Suppressions = []sarifSuppress{{Kind: "inSource", Status: "accepted",
				Justification: fmt.Sprintf("%s (until %s, %s:%d)", s.Reason, s.Until, s.File, s.Line)}}
		}
		if r.HasBaseline {
			res.BaselineState = "new"
			if f.Baseline {
				res.BaselineState = "unchanged"
			}
		}
		results = append(results, res)
	}
	log := sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{{Tool: sarifTool{Driver: driver}, Results: results, Invocations: invocations(r.Unread)}},
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(log)
}

func sarifMessage(f finding.Finding) string {
	if f.Resource == "" {
		return f.Message
	}
	return fmt.Sprintf("%s (%s)", f.Message, f.Resource)
}

func sarifRuleFor(p finding.Policy) sarifRule {
	title := p.Title
	if title == "" {
		title = p.ID
	}
	desc := p.Description
	if desc == "" {
		desc = title
	}
	help := desc
	var md strings.Builder
	fmt.Fprintf(&md, "**%s** (%s, %s)\n\n%s\n", title, p.ID, p.Severity, desc)
	if p.Remediation != "" {
		help += "\n\nHow to fix: " + p.Remediation
		fmt.Fprintf(&md, "\n**How to fix:** %s\n", p.Remediation)
	}
	if len(p.Controls) > 0 {
		help += "\n\nControls: " + strings.Join(p.Controls, ", ")
		fmt.Fprintf(&md, "\n**Controls:** %s\n", strings.Join(p.Controls, ", "))
	}
	if len(p.Peers) > 0 {
		help += "\n\nThe same check elsewhere: " + strings.Join(p.Peers, ", ")
		fmt.Fprintf(&md, "\n**The same check elsewhere:** %s\n", strings.Join(p.Peers, ", "))
	}
	tags := append([]string{"security"}, p.Controls...)
	return sarifRule{
		ID: p.ID, Name: ruleName(p.ID),
		ShortDescription:     sarifText{Text: title},
		FullDescription:      sarifText{Text: desc},
		Help:                 sarifText{Text: help, Markdown: md.String()},
		DefaultConfiguration: sarifConfig{Level: "error"},
		Properties: map[string]any{
			"tags":              tags,
			"security-severity": securitySeverity[p.Severity],
			"precision":         "very-high",
		},
	}
}

// ruleName is a SARIF rule name: an identifier without separators.
func ruleName(id string) string {
	return strings.NewReplacer("-", "", ".", "", " ", "").Replace(id)
}

// invocations state an incomplete run: one error notification per input
// that could not be read.
func invocations(unread []string) []sarifInvocation {
	if len(unread) == 0 {
		return nil
	}
	inv := sarifInvocation{ExecutionSuccessful: false}
	for _, u := range unread {
		inv.ToolExecutionNotifications = append(inv.ToolExecutionNotifications, sarifNotification{Level: "error", Message: sarifText{Text: u}})
	}
	return []sarifInvocation{inv}
}
