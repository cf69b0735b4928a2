package terraform

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/limits"
)

// Plan is what guard reads of a `terraform show -json` plan: every resource
// with its action and values, and the configuration (for references and
// provider keys).
type Plan struct {
	Resources []input.Resource // Stack and Source are the caller's to set
	Config    *tfjson.Config
}

// NotPlan is returned by ReadPlan for JSON that is no plan (a manifest).
var NotPlan = errors.New("not a Terraform plan")

// ReadPlan streams a plan file into resources, decoding each entry with
// terraform-json's types one at a time: a 400 MB plan is never held whole,
// and what no policy reads (prior state, drift, outputs, `before`) is parsed
// past without being kept.
//
// It is strict: a null or wrongly typed entry, an unknown action or an
// address seen twice is an error naming the JSON path; no resource is ever
// dropped silently. A file whose top level has no format_version, or neither
// planned_values nor resource_changes, is NotPlan.
func ReadPlan(path string, lim limits.Limits) (*Plan, error) {
	st, err := limits.Regular(path)
	if err != nil {
		return nil, err
	}
	if st.Size() > lim.FileSize {
		return nil, fmt.Errorf("file is %s", limits.Exceeded("file-size", fmt.Sprintf("%d bytes", lim.FileSize)))
	}
	p, err := decodePlan(func() (io.ReadCloser, error) { return os.Open(path) })
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return nil, &SyntaxError{Offset: se.Offset, Msg: se.Error()}
	}
	return p, err
}

// SyntaxError is malformed JSON at a byte offset (the caller turns it into a line).
type SyntaxError struct {
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string { return e.Msg }

type planDecoder struct {
	open    func() (io.ReadCloser, error)
	dec     *json.Decoder
	plan    *Plan
	changes map[string]bool // addresses with a resource change
	planned []plannedResource
	err     error // the first error; reported only if the file is a plan
}

// plannedResource is a planned_values entry without its values: they are
// decoded in a second pass only if no resource change covers the entry
// (Terraform writes one for every resource; only hand-made plans lack them).
type plannedResource struct {
	path   string
	module string
	res    tfjson.StateResource
}

func decodePlan(open func() (io.ReadCloser, error)) (*Plan, error) {
	f, err := open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	d := &planDecoder{open: open, dec: json.NewDecoder(bufio.NewReaderSize(f, 1<<20)), plan: &Plan{}, changes: map[string]bool{}}
	d.dec.UseNumber()
	if tok, err := d.dec.Token(); errors.Is(err, io.EOF) {
		return nil, NotPlan // an empty file
	} else if err != nil {
		return nil, err
	} else if tok != json.Delim('{') {
		return nil, NotPlan
	}
	var formatVersion *string
	hasResources := false
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return nil, err
		}
		key, _ := tok.(string)
		switch key {
		case "format_version":
			var v string
			if err := d.dec.Decode(&v); err != nil {
				return nil, fmt.Errorf("format_version: %w", plainErr(err))
			}
			formatVersion = &v
		case "resource_changes":
			hasResources = true
			if err := d.resourceChanges(); err != nil {
				return nil, err
			}
		case "planned_values":
			hasResources = true
			if err := d.plannedValues(); err != nil {
				return nil, err
			}
		case "configuration":
			var cfg tfjson.Config
			if err := d.dec.Decode(&cfg); err != nil {
				d.fail(fmt.Errorf("configuration: %w", plainErr(err)))
				continue
			}
			d.plan.Config = &cfg
		default:
			if err := d.skip(); err != nil {
				return nil, err
			}
		}
	}
	if _, err := d.dec.Token(); err != nil {
		return nil, err
	}
	if _, err := d.dec.Token(); !errors.Is(err, io.EOF) {
		return nil, &json.SyntaxError{Offset: d.dec.InputOffset()}
	}
	if formatVersion == nil || !hasResources {
		return nil, NotPlan
	}
	if err := (&tfjson.Plan{FormatVersion: *formatVersion}).Validate(); err != nil {
		return nil, err
	}
	if d.err != nil {
		return nil, d.err
	}
	if err := d.addPlanned(); err != nil {
		return nil, err
	}
	return d.plan, nil
}

func (d *planDecoder) fail(err error) {
	if d.err == nil {
		d.err = err
	}
}

// array calls each for every element of the JSON array that comes next.
func (d *planDecoder) array(path string, each func(path string) error) error {
	tok, err := d.dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		return nil // null: no entries
	}
	if tok != json.Delim('[') {
		d.fail(fmt.Errorf("%s: expected an array, got %s", path, describe(tok)))
		return d.skipRest(tok)
	}
	for i := 0; d.dec.More(); i++ {
		if err := each(fmt.Sprintf("%s[%d]", path, i)); err != nil {
			return err
		}
	}
	_, err = d.dec.Token()
	return err
}

// skip skips the next value token by token: prior state and the like can be
// as large as the plan's changes, and Decode would buffer them whole.
func (d *planDecoder) skip() error {
	tok, err := d.dec.Token()
	if err != nil {
		return err
	}
	return d.skipRest(tok)
}

// skipRest skips the rest of the value whose first token was tok.
func (d *planDecoder) skipRest(tok json.Token) error {
	if delim, ok := tok.(json.Delim); ok && (delim == '[' || delim == '{') {
		depth := 1
		for depth > 0 {
			t, err := d.dec.Token()
			if err != nil {
				return err
			}
			if dl, ok := t.(json.Delim); ok {
				if dl == '[' || dl == '{' {
					depth++
				} else {
					depth--
				}
			}
		}
	}
	return nil
}

func (d *planDecoder) resourceChanges() error {
	return d.array("resource_changes", func(path string) error {
		var rc *tfjson.ResourceChange
		if err := d.dec.Decode(&rc); err != nil {
			if isSyntax(err) {
				return err
			}
			d.fail(fmt.Errorf("%s: %w", path, plainErr(err)))
			return nil
		}
		if err := checkChange(rc); err != nil {
			d.fail(fmt.Errorf("%s: %w", path, err))
			return nil
		}
		if rc.DeposedKey != "" {
			return nil // a deposed object being destroyed: its current object has its own entry
		}
		if d.changes[rc.Address] {
			d.fail(fmt.Errorf("%s: address %s appears twice in resource_changes", path, rc.Address))
			return nil
		}
		d.changes[rc.Address] = true
		d.plan.Resources = append(d.plan.Resources, input.Resource{
			Address: rc.Address, Mode: string(rc.Mode), Type: rc.Type, Name: rc.Name,
			Index: rc.Index, Module: rc.ModuleAddress,
			Config: ConfigAddress(rc.ModuleAddress, string(rc.Mode), rc.Type, rc.Name),
			Action: actionName(rc.Change.Actions),
			Values: asMap(input.DropNulls(rc.Change.After)), Unknown: asMap(trueOnly(rc.Change.AfterUnknown)), Sensitive: asMap(trueOnly(rc.Change.AfterSensitive)),
		})
		return nil
	})
}

// trueOnly keeps of an after_unknown or after_sensitive mirror only the
// paths that lead to true: the mirrors repeat the whole shape of the values
// with false at every leaf, as large again as the values, and a path that
// is absent reads as false. Lists keep their positions.
func trueOnly(v any) any {
	switch t := v.(type) {
	case bool:
		return t
	case map[string]any:
		for k, e := range t {
			if p := trueOnly(e); p == false {
				delete(t, k)
			} else {
				t[k] = p
			}
		}
		if len(t) == 0 {
			return false
		}
		return t
	case []any:
		keep := false
		for i, e := range t {
			t[i] = trueOnly(e)
			keep = keep || t[i] != false
		}
		if !keep {
			return false
		}
		return t
	}
	return false
}

var knownActions = map[tfjson.Action]bool{
	tfjson.ActionNoop: true, tfjson.ActionCreate: true, tfjson.ActionRead: true,
	tfjson.ActionUpdate: true, tfjson.ActionDelete: true, tfjson.ActionForget: true,
}

// checkChange refuses a resource change guard would misread.
func checkChange(rc *tfjson.ResourceChange) error {
	switch {
	case rc == nil:
		return errors.New("null entry")
	case rc.Address == "" || rc.Type == "" || rc.Name == "":
		return errors.New("address, type and name are required")
	case rc.Mode != tfjson.ManagedResourceMode && rc.Mode != tfjson.DataResourceMode:
		return fmt.Errorf("%s: unknown mode %q", rc.Address, rc.Mode)
	case rc.Change == nil:
		return fmt.Errorf("%s: no change", rc.Address)
	case len(rc.Change.Actions) == 0 || len(rc.Change.Actions) > 2:
		return fmt.Errorf("%s: change.actions must list one or two actions, got %d", rc.Address, len(rc.Change.Actions))
	}
	for _, a := range rc.Change.Actions {
		if !knownActions[a] {
			return fmt.Errorf("%s: unknown action %q in change.actions", rc.Address, a)
		}
	}
	deleting := actionName(rc.Change.Actions) == "delete" || actionName(rc.Change.Actions) == "forget"
	if err := objectOrNull("change.after", rc.Change.After, deleting); err != nil {
		return fmt.Errorf("%s: %w", rc.Address, err)
	}
	for name, v := range map[string]any{"change.after_unknown": rc.Change.AfterUnknown, "change.after_sensitive": rc.Change.AfterSensitive} {
		if b, ok := v.(bool); ok && !b {
			continue // false: nothing in it is unknown or sensitive
		}
		if err := objectOrNull(name, v, true); err != nil {
			return fmt.Errorf("%s: %w", rc.Address, err)
		}
	}
	return nil
}

func objectOrNull(name string, v any, nullOK bool) error {
	switch v.(type) {
	case map[string]any:
		return nil
	case nil:
		if nullOK {
			return nil
		}
	}
	return fmt.Errorf("%s must be an object, got %s", name, jsonKind(v))
}

func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case []any:
		return "an array"
	case string:
		return "a string"
	case bool:
		return "a boolean"
	case json.Number, float64:
		return "a number"
	}
	return "an object"
}

func describe(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '{' {
			return "an object"
		}
		return "an array"
	case nil:
		return "null"
	}
	return jsonKind(tok)
}

// plannedHeader is a planned_values resource without its values.
type plannedHeader struct {
	tfjson.StateResource
	AttributeValues ignored `json:"values"`
}

// ignored parses past a value without keeping it.
type ignored struct{}

func (*ignored) UnmarshalJSON([]byte) error { return nil }

// plannedValues walks planned_values.root_module and its child modules
// token by token, decoding one resource at a time.
func (d *planDecoder) plannedValues() error {
	return d.object("planned_values", true, func(key, path string) error {
		if key != "root_module" {
			return d.skip()
		}
		return d.plannedModule(path)
	})
}

func (d *planDecoder) plannedModule(path string) error {
	address := ""
	start := len(d.planned)
	err := d.object(path, false, func(key, p string) error {
		switch key {
		case "address":
			if err := d.dec.Decode(&address); err != nil {
				if isSyntax(err) {
					return err
				}
				d.fail(fmt.Errorf("%s: %w", p, plainErr(err)))
			}
			return nil
		case "resources":
			return d.array(p, func(p string) error {
				var r *plannedHeader
				if err := d.dec.Decode(&r); err != nil {
					if isSyntax(err) {
						return err
					}
					d.fail(fmt.Errorf("%s: %w", p, plainErr(err)))
					return nil
				}
				switch {
				case r == nil:
					d.fail(fmt.Errorf("%s: null entry", p))
				case r.Address == "" || r.Type == "" || r.Name == "":
					d.fail(fmt.Errorf("%s: address, type and name are required", p))
				default:
					d.planned = append(d.planned, plannedResource{path: p, res: r.StateResource})
				}
				return nil
			})
		case "child_modules":
			return d.array(p, func(p string) error { return d.plannedModule(p) })
		}
		return d.skip()
	})
	for i := start; i < len(d.planned); i++ {
		if d.planned[i].module == "" {
			d.planned[i].module = address
		}
	}
	return err
}

// object calls each for every key of the JSON object that comes next.
func (d *planDecoder) object(path string, nullOK bool, each func(key, path string) error) error {
	tok, err := d.dec.Token()
	if err != nil {
		return err
	}
	if tok == nil {
		if !nullOK {
			d.fail(fmt.Errorf("%s: null entry", path))
		}
		return nil
	}
	if tok != json.Delim('{') {
		d.fail(fmt.Errorf("%s: expected an object, got %s", path, describe(tok)))
		return d.skipRest(tok)
	}
	for d.dec.More() {
		tok, err := d.dec.Token()
		if err != nil {
			return err
		}
		key, _ := tok.(string)
		if err := each(key, path+"."+key); err != nil {
			return err
		}
	}
	_, err = d.dec.Token()
	return err
}

// addPlanned keeps planned resources that have no resource change as
// no-ops, their values read in a second pass over the file.
func (d *planDecoder) addPlanned() error {
	seen := map[string]bool{}
	var missing []plannedResource
	for _, p := range d.planned {
		if d.changes[p.res.Address] {
			continue
		}
		if seen[p.res.Address] {
			return fmt.Errorf("%s: address %s appears twice in planned_values", p.path, p.res.Address)
		}
		seen[p.res.Address] = true
		missing = append(missing, p)
	}
	if len(missing) == 0 {
		return nil
	}
	values, err := d.plannedAttributeValues(seen)
	if err != nil {
		return err
	}
	for _, p := range missing {
		r := p.res
		v := values[r.Address]
		if err := objectOrNull("values", v, true); err != nil {
			return fmt.Errorf("%s: %w", p.path, err)
		}
		var sensitive any
		if len(r.SensitiveValues) > 0 {
			_ = json.Unmarshal(r.SensitiveValues, &sensitive)
		}
		d.plan.Resources = append(d.plan.Resources, input.Resource{
			Address: r.Address, Mode: string(r.Mode), Type: r.Type, Name: r.Name, Index: r.Index,
			Module: p.module, Action: "no-op",
			Config: ConfigAddress(p.module, string(r.Mode), r.Type, r.Name),
			Values: asMap(input.DropNulls(v)), Unknown: map[string]any{}, Sensitive: asMap(trueOnly(sensitive)),
		})
	}
	return nil
}

// plannedAttributeValues reads the values of the given planned resources.
func (d *planDecoder) plannedAttributeValues(want map[string]bool) (map[string]any, error) {
	f, err := d.open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := json.NewDecoder(bufio.NewReader(f))
	dec.UseNumber()
	var doc struct {
		PlannedValues struct {
			RootModule *tfjson.StateModule `json:"root_module"`
		} `json:"planned_values"`
	}
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("planned_values: %w", plainErr(err))
	}
	out := map[string]any{}
	var walk func(m *tfjson.StateModule)
	walk = func(m *tfjson.StateModule) {
		if m == nil {
			return
		}
		for _, r := range m.Resources {
			if r != nil && want[r.Address] {
				out[r.Address] = r.AttributeValues
			}
		}
		for _, c := range m.ChildModules {
			walk(c)
		}
	}
	walk(doc.PlannedValues.RootModule)
	return out, nil
}

func isSyntax(err error) bool {
	var se *json.SyntaxError
	return errors.As(err, &se) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF)
}

// plainErr drops encoding/json's Go type names from an error, which mean
// nothing to someone reading a plan.
func plainErr(err error) error {
	var ute *json.UnmarshalTypeError
	if errors.As(err, &ute) {
		where := ute.Field
		if where != "" {
			where = " at " + strings.ToLower(where)
		}
		return fmt.Errorf("expected %s%s, got a JSON %s", goKind(ute.Type.Kind().String()), where, ute.Value)
	}
	return err
}

func goKind(kind string) string {
	switch kind {
	case "struct", "map", "ptr":
		return "an object"
	case "slice", "array":
		return "an array"
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	}
	if slices.Contains([]string{"int", "int64", "float64"}, kind) {
		return "a number"
	}
	return kind
}

// actionName folds Terraform's action lists into one word.
func actionName(a tfjson.Actions) string {
	switch {
	case a.Replace():
		return "replace"
	case a.Create():
		return "create"
	case a.Update():
		return "update"
	case a.Delete():
		return "delete"
	case a.Read():
		return "read"
	case a.Forget():
		return "forget"
	}
	return "no-op"
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		return map[string]any{}
	}
	return m
}

// ProviderKeys maps each configured resource (module path without instance
// keys, e.g. "module.region.google_container_cluster.this") to its provider
// configuration key ("helm.primary").
func ProviderKeys(cfg *tfjson.Config) map[string]string {
	out := map[string]string{}
	if cfg == nil {
		return out
	}
	var walk func(prefix string, m *tfjson.ConfigModule)
	walk = func(prefix string, m *tfjson.ConfigModule) {
		if m == nil {
			return
		}
		for _, r := range m.Resources {
			if r == nil {
				continue
			}
			key := r.ProviderConfigKey
			if i := strings.LastIndex(key, ":"); i >= 0 {
				key = key[i+1:]
			}
			out[joinAddr(prefix, r.Address)] = key
		}
		for name, call := range m.ModuleCalls {
			if call != nil {
				walk(joinAddr(prefix, "module."+name), call.Module)
			}
		}
	}
	walk("", cfg.RootModule)
	return out
}
