// Package redact keeps sensitive values out of everything guard prints. A
// plan carries them in clear (after_sensitive only marks them), and a
// policy's message may quote any value: every report and `guard inspect`
// pass through here.
package redact

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/acme/guard/internal/input"
)

// Placeholder is what a sensitive value is shown as (Terraform's own words).
const Placeholder = "(sensitive value)"

// minLength: shorter values ("true", "80") are not secrets worth scrubbing
// from text, and scrubbing them would garble every message.
const minLength = 6

// Redactor replaces known sensitive values.
type Redactor struct {
	secrets []string // longest first, so a secret inside another goes with it
	r       *strings.Replacer
}

// New collects the sensitive values of the input's Terraform resources.
func New(in *input.Input) *Redactor {
	seen := map[string]bool{}
	for _, r := range in.Terraform.Resources {
		collect(r.Values, r.Sensitive, false, seen)
	}
	red := &Redactor{}
	for s := range seen {
		red.secrets = append(red.secrets, s)
	}
	slices.SortFunc(red.secrets, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
	var pairs []string
	for _, s := range red.secrets {
		pairs = append(pairs, s, Placeholder)
	}
	red.r = strings.NewReplacer(pairs...)
	return red
}

// collect adds the values under sensitive marks (true marks a whole subtree).
func collect(value, mirror any, marked bool, out map[string]bool) {
	if m, ok := mirror.(bool); ok && m {
		marked = true
	}
	switch v := value.(type) {
	case map[string]any:
		mm, _ := mirror.(map[string]any)
		for k, e := range v {
			collect(e, mm[k], marked, out)
		}
	case []any:
		ml, _ := mirror.([]any)
		for i, e := range v {
			var m any
			if i < len(ml) {
				m = ml[i]
			}
			collect(e, m, marked, out)
		}
	case nil:
	default:
		if marked {
			if s := fmt.Sprint(v); len(s) >= minLength {
				out[s] = true
			}
		}
	}
}

// String replaces every sensitive value in s.
func (r *Redactor) String(s string) string {
	if len(r.secrets) == 0 {
		return s
	}
	return r.r.Replace(s)
}

// Input replaces sensitive values in the input itself: marked values in
// Terraform resources (whatever their length), and known secrets in every
// string of the Kubernetes objects (a chart may render set_sensitive values).
func (r *Redactor) Input(in *input.Input) {
	for i := range in.Terraform.Resources {
		res := &in.Terraform.Resources[i]
		res.Values, _ = mask(res.Values, res.Sensitive).(map[string]any)
	}
	for i := range in.Kubernetes.Objects {
		o := &in.Kubernetes.Objects[i]
		o.Object, _ = r.strings(o.Object).(map[string]any)
	}
}

func mask(value, mirror any) any {
	if m, ok := mirror.(bool); ok && m && value != nil {
		return Placeholder
	}
	switch v := value.(type) {
	case map[string]any:
		mm, _ := mirror.(map[string]any)
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = mask(e, mm[k])
		}
		return out
	case []any:
		ml, _ := mirror.([]any)
		out := make([]any, len(v))
		for i, e := range v {
			var m any
			if i < len(ml) {
				m = ml[i]
			}
			out[i] = mask(e, m)
		}
		return out
	}
	return value
}

func (r *Redactor) strings(v any) any {
	if len(r.secrets) == 0 {
		return v
	}
	switch t := v.(type) {
	case string:
		return r.String(t)
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[r.String(k)] = r.strings(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = r.strings(e)
		}
		return out
	case json.Number:
		return t
	}
	return v
}
