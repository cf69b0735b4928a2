package policytest

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/kyverno"
	"github.com/acme/guard/internal/policytest/kyvernosuite"
)

// SuiteFile is the file name of a Kyverno test suite, as `kyverno test` looks for it.
const SuiteFile = "kyverno-test.yaml"

// FindSuites lists the kyverno-test.yaml files under dirs, sorted; a file
// named in dirs is a suite whatever its name.
func FindSuites(dirs []string) ([]string, error) {
	var out []string
	for _, dir := range dirs {
		if st, err := os.Stat(dir); err == nil && st.Mode().IsRegular() {
			out = append(out, dir)
			continue
		}
		err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.IsDir() && d.Name() == SuiteFile {
				out = append(out, path)
			}
			return nil
		})
		if err != nil {
			return nil, &diag.Error{File: dir, Msg: err.Error()}
		}
	}
	sort.Strings(out)
	return out, nil
}

// runSuites runs the Kyverno test suites of one file: guard's Kyverno engine
// evaluates them (internal/policytest/kyvernosuite), and each result they declare is judged
// here, as `kyverno test` judges it. A result guard does not evaluate is a
// skipped case with the reason (a failure when strict).
func runSuites(ctx context.Context, path string, now time.Time, strict bool) ([]Case, error) {
	suites, err := kyvernosuite.LoadSuites(ctx, path, now)
	if err != nil {
		return nil, err
	}
	var out []Case
	for _, s := range suites {
		for _, x := range s.Expected {
			out = append(out, judge(s, x, strict)...)
		}
	}
	return out, nil
}

// judge checks one expected result against what the policies said.
func judge(s *kyvernosuite.Suite, x kyvernosuite.Expected, strict bool) []Case {
	c := Case{Engine: kyverno.EngineName, Suite: s.Path, Want: x.Result}
	if x.Skip != "" {
		c.Got, c.Message, c.Skipped, c.Passed = "not evaluated", x.Skip, true, !strict
		refs := x.Resources
		if len(refs) == 0 { // a result about payloads, not resources
			refs = []string{""}
		}
		var out []Case
		for _, ref := range refs {
			c.Name = x.Policy + " " + strings.TrimSuffix(x.Kind+"/"+ref, "/")
			out = append(out, c)
		}
		return out
	}
	name := x.Policy
	if !s.Loaded[name] {
		name = x.Policy[strings.LastIndex(x.Policy, "/")+1:]
	}
	byID := s.Responses[x.Operation]
	var out []Case
	for _, subject := range subjects(x, s.Subjects, byID) {
		got, msg := verdict(x, byID[subject.ID][name])
		if !s.Loaded[name] {
			msg = "the suite loads no policy " + x.Policy
		}
		c.Name, c.Got, c.Passed, c.Message = x.Policy+" "+subject.ID, got, got == x.Result, ""
		if !c.Passed {
			c.Message = fmt.Sprintf("want %s, got %s", x.Result, got)
			if msg != "" {
				c.Message += ": " + strings.TrimSpace(msg)
			}
		} else if msg != "" {
			c.Message = msg
		}
		out = append(out, c)
	}
	return out
}

// subjects are what a result is checked against, chosen as `kyverno test`
// chooses them: each of its names ("name" or "namespace/name") picks every
// resource of that name, of any kind (a payload by its file); when none is
// found (or none is named) every subject is checked.
func subjects(x kyvernosuite.Expected, all []kyvernosuite.Subject, responded map[string]map[string]*kyvernosuite.Response) []kyvernosuite.Subject {
	var out []kyvernosuite.Subject
	for _, ref := range x.Resources {
		for _, s := range all {
			if _, ok := responded[s.ID]; ok && refersTo(ref, s) {
				out = append(out, s)
			}
		}
	}
	if len(out) == 0 {
		for _, s := range all {
			if _, ok := responded[s.ID]; ok {
				out = append(out, s)
			}
		}
	}
	return out
}

func refersTo(ref string, s kyvernosuite.Subject) bool {
	if s.Payload {
		return ref == s.ID
	}
	if ns, name, ok := strings.Cut(ref, "/"); ok {
		return ns == s.Namespace && name == s.Name
	}
	return ref == s.Name
}

// verdict compares a result with a policy's response about a subject, as
// `kyverno test` does: every rule result it names (all of them when it names
// no rule or the policy has no rules; a rule's autogen variants count as the
// rule) must be the expected one. A policy that responded with no such rule
// excluded the subject: kyverno test counts that as a pass, and so does
// guard (the message says so). A policy that did not respond is "not
// found", a failure.
func verdict(x kyvernosuite.Expected, r *kyvernosuite.Response) (got, message string) {
	if r == nil {
		return "not found", "the policy gave no result for the resource"
	}
	checked := false
	for _, rule := range r.Rules {
		if x.Rule != "" && !r.Ruleless && rule.Name != x.Rule && rule.Name != "autogen-"+x.Rule && rule.Name != "autogen-cronjob-"+x.Rule {
			continue
		}
		checked = true
		if rule.Result != x.Result {
			return rule.Result, rule.Message
		}
	}
	if !checked {
		return x.Result, "excluded: no rule of the policy applies to the resource (kyverno test counts this as a pass)"
	}
	return x.Result, ""
}
