package report

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strings"

	"github.com/acme/guard/internal/finding"
)

// The HTML report is for people: security reviewers, and auditors who keep
// it as evidence. One self-contained file (its styles inline; no script,
// font or image from anywhere), readable without JavaScript, with real
// table and heading markup. Every count it shows is also in the JSON
// report; the acceptance test renders it in headless Chromium and checks
// the DOM against the JSON.
//
//go:embed html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"json": func(v any) (string, error) {
		b, err := json.Marshal(v)
		return string(b), err
	},
	"class":  func(s Status) string { return strings.ReplaceAll(string(s), " ", "-") },
	"plural": plural,
}).Parse(htmlSource))

// htmlView is what the template shows, computed once here so that the
// template only lays it out.
type htmlView struct {
	R        *Report
	Summary  Summary
	Statuses []Status
	Stacks   []htmlStack
	Columns  []htmlColumn
	Rows     []htmlRow
	Groups   []htmlGroup
	Accepted []htmlFinding
}

// htmlStack is a header cell over a stack's columns.
type htmlStack struct {
	Name string
	Span int
}

// htmlColumn is one column of the control matrix: a scope.
type htmlColumn struct {
	Scope
	Label string // the region, or what stands for none
}

// htmlRow is one policy in the control matrix.
type htmlRow struct {
	Policy finding.Policy
	Cells  []htmlCell
}

// htmlCell is a policy's findings in one scope, counted by status.
type htmlCell struct {
	Counts []htmlCount
	// Worst is the status that colours the cell ("" for no finding).
	Worst Status
}

type htmlCount struct {
	Status Status
	N      int
}

// htmlGroup is a control's findings.
type htmlGroup struct {
	Policy   finding.Policy
	Findings []htmlFinding
}

type htmlFinding struct {
	finding.Finding
	Status   Status
	Where    string // file:line
	Scope    string // stack / region
	Accepted []htmlAcceptance
}

// htmlAcceptance says who accepted a finding, why and until when: a
// PolicyException or an inline suppression.
type htmlAcceptance struct {
	By, Owner, Reason, Until, Where string
}

// elsewhere is the matrix column of findings on no input item: guard's own
// checks of the exceptions and inline suppressions.
var elsewhere = Scope{Stack: "other", Region: "exceptions and suppressions"}

func writeHTML(w io.Writer, r *Report, _ Options) error {
	v := htmlView{R: r, Summary: r.Summarize(), Statuses: Statuses}
	scopes := slices.Clone(r.Scopes.List)
	column := func(f finding.Finding) int {
		if i, ok := r.Scopes.Of[f.Resource]; ok {
			return i
		}
		return len(r.Scopes.List)
	}
	if slices.ContainsFunc(r.Findings, func(f finding.Finding) bool { return column(f) == len(r.Scopes.List) }) {
		scopes = append(scopes, elsewhere)
	}
	for _, s := range scopes {
		label := s.Region
		if label == "" {
			label = "no region"
		}
		v.Columns = append(v.Columns, htmlColumn{Scope: s, Label: label})
		if n := len(v.Stacks); n > 0 && v.Stacks[n-1].Name == s.Stack {
			v.Stacks[n-1].Span++
		} else {
			v.Stacks = append(v.Stacks, htmlStack{Name: s.Stack, Span: 1})
		}
	}
	byPolicy := map[string][]finding.Finding{}
	for _, f := range r.Findings {
		byPolicy[f.PolicyID] = append(byPolicy[f.PolicyID], f)
	}
	for _, p := range r.Policies {
		counts := make([]map[Status]int, len(scopes))
		for i := range counts {
			counts[i] = map[Status]int{}
		}
		g := htmlGroup{Policy: p}
		for _, f := range byPolicy[p.ID] {
			hf := r.htmlFinding(f, scopes[column(f)])
			counts[column(f)][hf.Status]++
			g.Findings = append(g.Findings, hf)
			if len(hf.Accepted) > 0 {
				v.Accepted = append(v.Accepted, hf)
			}
		}
		row := htmlRow{Policy: p}
		for _, c := range counts {
			var cell htmlCell
			for _, s := range Statuses {
				if c[s] > 0 {
					cell.Counts = append(cell.Counts, htmlCount{s, c[s]})
					if cell.Worst == "" {
						cell.Worst = s
					}
				}
			}
			row.Cells = append(row.Cells, cell)
		}
		v.Rows = append(v.Rows, row)
		if len(g.Findings) > 0 {
			v.Groups = append(v.Groups, g)
		}
	}
	return htmlTemplate.Execute(w, v)
}

// htmlFinding is f as the report shows it, with who accepted it.
func (r *Report) htmlFinding(f finding.Finding, s Scope) htmlFinding {
	hf := htmlFinding{Finding: f, Status: StatusOf(f, r.Threshold), Where: location(f), Scope: s.Stack}
	if s.Region != "" {
		hf.Scope += " / " + s.Region
	}
	if sup := f.Suppressed; sup != nil {
		hf.Accepted = append(hf.Accepted, htmlAcceptance{By: "inline guard:ignore", Reason: sup.Reason, Until: sup.Until,
			Where: fmt.Sprintf("%s:%d", sup.File, sup.Line)})
	}
	if f.Waived { // the exception stage names what waived it
		for _, key := range f.ExceptedBy {
			x := r.Exceptions[key]
			a := htmlAcceptance{By: "PolicyException " + key, Owner: x.Owner, Reason: x.Reason, Until: x.Expires}
			if x.File != "" {
				a.Where = fmt.Sprintf("%s:%d", x.File, x.Line)
			}
			hf.Accepted = append(hf.Accepted, a)
		}
	}
	return hf
}
