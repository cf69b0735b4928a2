// Package exception is the check's waiver stage, the same for every engine:
// it takes the engines' findings and the PolicyExceptions of the policy
// directories, marks as waived the findings an unexpired exception covers,
// and adds guard's own findings about the exceptions (expired, unused).
//
// An engine may match exceptions itself (Kyverno's engine does, exactly as
// admission in the clusters does, and names them in Finding.ExceptedBy);
// for the others (Rego) the stage matches an exception's matchConditions,
// CEL with `object` bound to the input item the finding names.
package exception

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"
	policiesv1beta1 "github.com/kyverno/api/api/policies.kyverno.io/v1beta1"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
)

// RegoPolicyKind is the policyRefs kind with which a PolicyException names a
// Rego policy (by its id): one exception format, one folder and the same
// fields for both engines. Kyverno in the clusters ignores such references.
const RegoPolicyKind = "RegoPolicy"

// Engine is how guard's findings about exceptions name their engine: the
// exceptions are Kyverno's PolicyExceptions.
const Engine = "kyverno"

// Exception is a PolicyException with guard's annotations (the project's
// own exceptions carry them all; see TestLibraryAnnotations).
type Exception struct {
	Name, Namespace string
	Owner, Reason   string
	ExpiresAt       time.Time
	File            string
	Line            int
	// Spec is the exception as Kyverno reads it.
	Spec *policiesv1beta1.PolicyException
}

// Key names the exception as findings do: namespace/name.
func (x Exception) Key() string { return x.Namespace + "/" + x.Name }

// Expired says whether the exception no longer applies at now.
func (x Exception) Expired(now time.Time) bool {
	return !x.ExpiresAt.IsZero() && now.After(x.ExpiresAt)
}

// Policies are guard's own checks on the exceptions themselves.
var Policies = []finding.Policy{{
	ID: "EXC-001", Engine: Engine, Name: "expired-exception", Severity: finding.Medium, Controls: []string{},
	Title:       "No expired PolicyException is kept",
	Description: "An exception past its spec.expiresAt no longer applies, in guard or in the clusters (Kyverno honours expiresAt); the file must go, so the repository says what is enforced.",
	Remediation: "Remove the exception, or renew it with a new expiresAt, owner and reason after review.",
}, {
	ID: "EXC-002", Engine: Engine, Name: "unused-exception", Severity: finding.Low, Controls: []string{},
	Title:       "Every PolicyException matches something",
	Description: "An exception that matched no resource in this check, though the check held objects in a namespace its conditions allow, may be stale (or apply only to resources checked elsewhere).",
	Remediation: "Remove the exception if nothing needs it any more.",
}}

// Stage applies a set of exceptions at one instant.
type Stage struct {
	exceptions []Exception
	matchers   []*matcher
	now        time.Time
}

// matcher is the side of an exception that the stage matches itself: the
// policy ids it names with RegoPolicyKind, and its matchConditions, compiled.
type matcher struct {
	x          Exception
	policies   map[string]bool
	conditions []cel.Program
}

var celEnv = func() *cel.Env {
	env, err := cel.NewEnv(cel.Variable("object", cel.DynType), cel.OptionalTypes(), ext.Strings())
	if err != nil {
		panic(err)
	}
	return env
}()

// New compiles the exceptions' conditions. A condition CEL refuses is an
// error at the exception's file and line.
func New(exceptions []Exception, now time.Time) (*Stage, error) {
	s := &Stage{exceptions: exceptions, now: now}
	for _, x := range exceptions {
		m := &matcher{x: x, policies: map[string]bool{}}
		for _, ref := range x.Spec.Spec.PolicyRefs {
			if ref.Kind == RegoPolicyKind {
				m.policies[ref.Name] = true
			}
		}
		if len(m.policies) == 0 {
			continue
		}
		for _, mc := range x.Spec.Spec.MatchConditions {
			ast, iss := celEnv.Compile(mc.Expression)
			if iss.Err() != nil {
				return nil, &diag.Error{File: x.File, Line: x.Line, Msg: fmt.Sprintf("PolicyException %s: matchCondition %s: %v", x.Name, mc.Name, iss.Err())}
			}
			prg, err := celEnv.Program(ast)
			if err != nil {
				return nil, &diag.Error{File: x.File, Line: x.Line, Msg: fmt.Sprintf("PolicyException %s: matchCondition %s: %v", x.Name, mc.Name, err)}
			}
			m.conditions = append(m.conditions, prg)
		}
		s.matchers = append(s.matchers, m)
	}
	return s, nil
}

// Policies are the stage's own policies: none without exceptions.
func (s *Stage) Policies() []finding.Policy {
	if len(s.exceptions) == 0 {
		return nil
	}
	return Policies
}

// Refs are the policy ids the exceptions name with RegoPolicyKind, each
// with an exception that names it, so the caller can check they exist.
func (s *Stage) Refs() map[string]Exception {
	out := map[string]Exception{}
	for _, m := range s.matchers {
		for id := range m.policies {
			out[id] = m.x
		}
	}
	return out
}

// NeedsValues says whether the stage reads the values of the items that
// findings of a policy name: an engine that releases the input's values
// as it consumes them keeps those.
func (s *Stage) NeedsValues(policyID string) bool {
	for _, m := range s.matchers {
		if m.policies[policyID] {
			return true
		}
	}
	return false
}

// Apply waives the findings an unexpired exception covers and returns them
// with guard's findings about the exceptions: an expired one fails the run
// (its file must go before anyone relies on it), one that matched nothing
// though something in scope was checked is a warning.
func (s *Stage) Apply(in *input.Input, fs []finding.Finding) ([]finding.Finding, error) {
	used := map[string]bool{}
	items := map[string]any{}
	if len(s.matchers) > 0 {
		for _, r := range in.Terraform.Resources {
			items[r.ID] = r
		}
		for _, o := range in.Kubernetes.Objects {
			items[o.ID] = o.Object
		}
	}
	for i := range fs {
		f := &fs[i]
		if len(f.ExceptedBy) > 0 {
			for _, key := range f.ExceptedBy {
				used[key] = true
			}
			f.Waived = true
			continue
		}
		if f.Waived {
			continue
		}
		key, err := s.match(f, items)
		if err != nil {
			return nil, err
		}
		if key != "" {
			used[key] = true
			f.Waived, f.ExceptedBy = true, []string{key}
			f.Message += " (excepted by PolicyException " + key + ")"
		}
	}
	return append(fs, s.findings(in, used)...), nil
}

// List are the exceptions the stage applies.
func (s *Stage) List() []Exception { return s.exceptions }

// match is the key of the first unexpired exception whose conditions hold
// for the item f names ("" if none).
func (s *Stage) match(f *finding.Finding, items map[string]any) (string, error) {
	var object any
	for _, m := range s.matchers {
		if !m.policies[f.PolicyID] || m.x.Expired(s.now) {
			continue
		}
		if object == nil {
			item, ok := items[f.Resource]
			if !ok {
				return "", nil
			}
			v, err := celValue(item)
			if err != nil {
				return "", err
			}
			object = v
		}
		ok, err := m.matches(object)
		if err != nil {
			return "", &diag.Error{File: m.x.File, Line: m.x.Line, Msg: fmt.Sprintf("PolicyException %s on %s: %v", m.x.Name, f.Resource, err)}
		}
		if ok {
			return m.x.Key(), nil
		}
	}
	return "", nil
}

func (m *matcher) matches(object any) (bool, error) {
	for _, prg := range m.conditions {
		out, _, err := prg.Eval(map[string]any{"object": object})
		if err != nil {
			return false, err
		}
		if b, ok := out.Value().(bool); !ok || !b {
			return false, nil
		}
	}
	return true, nil
}

// celValue turns an input item into plain JSON data CEL can read.
func celValue(item any) (any, error) {
	data, err := json.Marshal(item)
	if err != nil {
		return nil, err
	}
	var v any
	err = json.Unmarshal(data, &v)
	return v, err
}

// findings are guard's findings about the exceptions: expired, or unused.
func (s *Stage) findings(in *input.Input, used map[string]bool) []finding.Finding {
	var out []finding.Finding
	for _, x := range s.exceptions {
		key := x.Key()
		var p finding.Policy
		var msg string
		lvl := finding.Warn
		switch {
		case x.Expired(s.now):
			p, lvl = Policies[0], finding.Deny
			msg = fmt.Sprintf("PolicyException %s (owner %s) expired on %s and no longer applies; remove it", key, x.Owner, x.ExpiresAt.UTC().Format(time.DateOnly))
		case !used[key] && x.inScope(in):
			p = Policies[1]
			msg = fmt.Sprintf("PolicyException %s (owner %s, expires %s) matched no resource in this check", key, x.Owner, x.ExpiresAt.UTC().Format(time.DateOnly))
		default:
			continue
		}
		out = append(out, finding.Finding{
			PolicyID: p.ID, Title: p.Title, Severity: p.Severity, Controls: p.Controls, Engine: Engine, Level: lvl,
			Resource: "PolicyException/" + key, Message: msg, File: x.File, Line: x.Line,
		})
	}
	return out
}

// Annotations guard reads on exceptions.
const (
	AnnotationOwner  = "guard.acme.example/owner"
	AnnotationReason = "guard.acme.example/reason"
)

// FromSpec reads what every exception must say: who owns it, why it
// exists, and when it ends; file and line are where it is written.
func FromSpec(px *policiesv1beta1.PolicyException, file string, line int) Exception {
	ann := px.GetAnnotations()
	x := Exception{
		Name: px.Name, Namespace: px.Namespace, Owner: ann[AnnotationOwner], Reason: strings.TrimSpace(ann[AnnotationReason]),
		File: file, Line: line, Spec: px,
	}
	if px.Spec.ExpiresAt != nil {
		x.ExpiresAt = px.Spec.ExpiresAt.Time
	}
	return x
}
