package kyverno

import (
	"encoding/json"
	"fmt"

	"github.com/google/cel-go/cel"
	"github.com/google/cel-go/ext"

	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/input"
)

// RegoPolicyKind is the policyRefs kind with which a PolicyException names a
// Rego policy (by its id): one exception format, one folder and the same
// fields for both engines. Kyverno in the clusters ignores such references.
const RegoPolicyKind = "RegoPolicy"

// regoException is an exception's Rego side: the policy ids it names and its
// matchConditions, compiled, evaluated with `object` bound to the input item
// (a Terraform resource of the input model, or a Kubernetes manifest).
type regoException struct {
	index      int // into Engine.exceptions
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

// compileRegoException compiles the Rego side of an exception, if it has one.
func compileRegoException(index int, x Exception) (*regoException, error) {
	rx := &regoException{index: index, policies: map[string]bool{}}
	for _, ref := range x.cel.Spec.PolicyRefs {
		if ref.Kind == RegoPolicyKind {
			rx.policies[ref.Name] = true
		}
	}
	if len(rx.policies) == 0 {
		return nil, nil
	}
	for _, mc := range x.cel.Spec.MatchConditions {
		ast, iss := celEnv.Compile(mc.Expression)
		if iss.Err() != nil {
			return nil, &Error{File: x.File, Line: x.Line, Msg: fmt.Sprintf("PolicyException %s: matchCondition %s: %v", x.Name, mc.Name, iss.Err())}
		}
		prg, err := celEnv.Program(ast)
		if err != nil {
			return nil, &Error{File: x.File, Line: x.Line, Msg: fmt.Sprintf("PolicyException %s: matchCondition %s: %v", x.Name, mc.Name, err)}
		}
		rx.conditions = append(rx.conditions, prg)
	}
	return rx, nil
}

// RegoPolicyRefs lists the Rego policy ids the exceptions name, so the caller
// can check they exist.
func (e *Engine) RegoPolicyRefs() map[string]Exception {
	out := map[string]Exception{}
	for _, rx := range e.regoExceptions {
		for id := range rx.policies {
			out[id] = e.exceptions[rx.index]
		}
	}
	return out
}

// waiveRego marks the Rego findings that an unexpired exception matches as
// waived, as admission would skip them, and records which exceptions matched.
func (e *Engine) waiveRego(in *input.Input, fs []finding.Finding, used map[string]bool) error {
	if len(e.regoExceptions) == 0 {
		return nil
	}
	items := map[string]any{}
	for _, r := range in.Terraform.Resources {
		items[r.ID] = r
	}
	for _, o := range in.Kubernetes.Objects {
		items[o.ID] = o.Object
	}
	for i := range fs {
		f := &fs[i]
		if f.Engine != "rego" || f.Waived {
			continue
		}
		item, ok := items[f.Resource]
		if !ok {
			continue
		}
		object, err := celValue(item)
		if err != nil {
			return err
		}
		for _, rx := range e.regoExceptions {
			x := e.exceptions[rx.index]
			if !rx.policies[f.PolicyID] || x.Expired(e.now) {
				continue
			}
			match, err := rx.matches(object)
			if err != nil {
				return &Error{File: x.File, Line: x.Line, Msg: fmt.Sprintf("PolicyException %s on %s: %v", x.Name, f.Resource, err)}
			}
			if match {
				key := x.Namespace + "/" + x.Name
				used[key] = true
				f.Waived = true
				f.Message += " (excepted by PolicyException " + key + ")"
				break
			}
		}
	}
	return nil
}

func (rx *regoException) matches(object any) (bool, error) {
	for _, prg := range rx.conditions {
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
