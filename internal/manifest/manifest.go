// Package manifest decodes YAML streams into Kubernetes objects, as the API
// server would accept them: one document per object, each with its file and
// line, malformed objects refused. The loader reads inputs with it, and the
// Kyverno engine its policy documents: a leaf both depend on.
package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes/scheme"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/limits"
)

func errorf(format string, args ...any) error { return &diag.Error{Msg: fmt.Sprintf(format, args...)} }

// Mode says what a document that is no Kubernetes object means.
type Mode int

const (
	// Walked: a file met in a directory walk; other YAML (values files, CI
	// config) is skipped.
	Walked Mode = iota
	// Named: a file the user named; every document must be an object.
	Named
	// FromTemplate: a chart template's output; every document must be an
	// object, or a privileged pod could hide in a document guard drops.
	FromTemplate
)

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// Decode decodes every document of a YAML (or JSON) stream named file into
// Kubernetes objects, each with the line its document starts on. A `kind:
// List` is expanded, and each of its items must be an object too. mode says
// what a document that is no object means. Errors are *diag.Error.
func Decode(file string, data []byte, mode Mode, lim limits.Limits) ([]input.Object, error) {
	if err := limits.CheckText(data, file); err != nil {
		return nil, &diag.Error{Msg: err.Error()}
	}
	var objs []input.Object
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for docs := 1; ; docs++ {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if docs > lim.Documents {
			return nil, errorf("%s: holds %s", file, limits.Exceeded("documents", fmt.Sprintf("%d documents", lim.Documents)))
		}
		if err != nil {
			return nil, yamlError(file, err)
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null" {
			continue // an empty document
		}
		line := doc.Content[0].Line
		if depth := nodeDepth(doc.Content[0], lim.Depth+1); depth > lim.Depth {
			return nil, errorf("%s:%d: document nested %s", file, line, limits.Exceeded("depth", lim.Depth))
		}
		var raw any
		if err := doc.Decode(&raw); err != nil {
			return nil, errorf("%s:%d: malformed YAML: %v", file, line, diag.OneLine(err.Error()))
		}
		m, ok := raw.(map[string]any)
		if !ok || m["apiVersion"] == nil || m["kind"] == nil {
			if mode == Walked {
				continue
			}
			if mode == FromTemplate {
				return nil, errorf("%s:%d: the template renders a document that is not a Kubernetes object: apiVersion and kind are required", file, line)
			}
			return nil, errorf("%s:%d: not a Kubernetes object: apiVersion and kind are required", file, line)
		}
		// What the API server stores: a field written with nothing under
		// it ("data:" around an empty range) is no field.
		input.DropNulls(m)
		js, err := json.Marshal(m)
		if err != nil {
			return nil, errorf("%s:%d: cannot represent document as JSON: %v", file, line, err)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			return nil, errorf("%s:%d: not a Kubernetes object: %v", file, line, err)
		}
		if err := checkObject(js, u); err != nil {
			return nil, errorf("%s:%d: %s: %v", file, line, describeObject(u), err)
		}
		if u.IsList() {
			items, _ := m["items"].([]any)
			for i, item := range items {
				im, ok := item.(map[string]any)
				if !ok || im["apiVersion"] == nil || im["kind"] == nil {
					return nil, errorf("%s:%d: %s item %d is not a Kubernetes object: apiVersion and kind are required", file, line, u.GetKind(), i)
				}
			}
			list, err := u.ToList()
			if err != nil {
				return nil, errorf("%s:%d: %v", file, line, err)
			}
			for i, item := range list.Items {
				itemJS, _ := json.Marshal(item.Object)
				if err := checkObject(itemJS, &item); err != nil {
					return nil, errorf("%s:%d: %s item %d (%s): %v", file, line, u.GetKind(), i, describeObject(&item), err)
				}
				objs = append(objs, input.Object{Object: item.Object, Source: input.Source{File: file, Line: line}})
			}
			continue
		}
		objs = append(objs, input.Object{Object: u.Object, Source: input.Source{File: file, Line: line}})
	}
	return objs, nil
}

// yamlError turns a YAML syntax error into one line at the right line.
// yaml.v3 reports a scanner error's line 1-based but a parser error's
// (the "did not find expected ..." kind) 0-based, and none at all on the
// first line.
func yamlError(file string, err error) error {
	msg := err.Error()
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		n, _ := strconv.Atoi(m[1])
		if parserError(m[2]) {
			n++
		}
		return errorf("%s:%d: malformed YAML: %s", file, n, m[2])
	}
	if rest, ok := strings.CutPrefix(msg, "yaml: "); ok && parserError(rest) {
		return errorf("%s:1: malformed YAML: %s", file, rest)
	}
	return errorf("%s: malformed YAML: %s", file, diag.OneLine(strings.TrimPrefix(msg, "yaml: ")))
}

// parserError says whether a yaml.v3 message comes from its parser (not its scanner).
func parserError(problem string) bool {
	return strings.HasPrefix(problem, "did not find expected") || problem == "found undefined tag handle" ||
		strings.HasPrefix(problem, "found duplicate %") || problem == "found incompatible YAML document"
}

// nodeDepth is how deeply a YAML node nests, counted up to max.
func nodeDepth(n *yaml.Node, max int) int {
	if max <= 0 || len(n.Content) == 0 {
		return 0
	}
	deepest := 0
	for _, c := range n.Content {
		if d := nodeDepth(c, max-1); d > deepest {
			deepest = d
		}
	}
	return deepest + 1
}

// checkObject refuses an object the API server would refuse as malformed,
// before a policy misreads it: metadata of the wrong shape (labels as a
// list, a numeric name) for any kind, and, for Kubernetes' own kinds, any
// field of the wrong type (containers as a string). It decodes into the
// typed objects of client-go's scheme; unknown fields are left to the API
// server's own field validation.
func checkObject(js []byte, u *unstructured.Unstructured) error {
	var typed any = &struct {
		Metadata metav1.ObjectMeta `json:"metadata"`
	}{}
	if !u.IsList() {
		if obj, err := scheme.Scheme.New(u.GroupVersionKind()); err == nil {
			typed = obj
		}
	}
	err := json.Unmarshal(js, typed)
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		return fmt.Errorf("%s: %s where %s is expected", te.Field, jsonValue(te.Value), te.Type)
	}
	return err
}

// jsonValue names what encoding/json found: "string" -> "a string".
func jsonValue(v string) string {
	switch {
	case v == "array" || v == "object":
		return "an " + v
	case strings.HasPrefix(v, "number"):
		return "a number"
	}
	return "a " + v
}

// describeObject is "Kind name", or the kind alone when it has no name.
func describeObject(u *unstructured.Unstructured) string {
	m, _ := u.Object["metadata"].(map[string]any)
	if name, _ := m["name"].(string); name != "" {
		return u.GetKind() + " " + name
	}
	return u.GetKind()
}
