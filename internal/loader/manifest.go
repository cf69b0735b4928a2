package loader

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strconv"

	"gopkg.in/yaml.v3"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/acme/guard/internal/input"
)

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// parseManifests decodes every document of a YAML (or JSON) stream into
// Kubernetes objects, each with the line its document starts on. Documents
// without apiVersion and kind are not manifests: an error when the user named
// the file, skipped in a directory walk. A `kind: List` is expanded.
func (l *Loader) parseManifests(path string, data []byte, explicit bool) ([]input.Object, error) {
	return decodeManifests(l.display(path), data, 0, explicit)
}

// DecodeManifests decodes the Kubernetes-shaped documents (apiVersion and kind)
// of a YAML stream named file, each with its line; other documents are skipped.
func DecodeManifests(file string, data []byte) ([]input.Object, error) {
	return decodeManifests(file, data, 0, false)
}

// decodeManifests is parseManifests for a named source; lineOffset shifts the
// reported lines (documents rendered from a template keep the template's lines).
func decodeManifests(file string, data []byte, lineOffset int, explicit bool) ([]input.Object, error) {
	var objs []input.Object
	dec := yaml.NewDecoder(bytes.NewReader(data))
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
				n, _ := strconv.Atoi(m[1])
				return nil, errorf("%s:%d: malformed YAML: %s", file, n+lineOffset, m[2])
			}
			return nil, errorf("%s: malformed YAML: %v", file, err)
		}
		if len(doc.Content) == 0 || doc.Content[0].Kind == yaml.ScalarNode && doc.Content[0].Tag == "!!null" {
			continue // an empty document
		}
		line := doc.Content[0].Line + lineOffset
		var raw any
		if err := doc.Decode(&raw); err != nil {
			return nil, errorf("%s:%d: malformed YAML: %v", file, line, err)
		}
		m, ok := raw.(map[string]any)
		if !ok || m["apiVersion"] == nil || m["kind"] == nil {
			if explicit {
				return nil, errorf("%s:%d: not a Kubernetes object: apiVersion and kind are required", file, line)
			}
			continue
		}
		js, err := json.Marshal(m)
		if err != nil {
			return nil, errorf("%s:%d: cannot represent document as JSON: %v", file, line, err)
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(js); err != nil {
			return nil, errorf("%s:%d: not a Kubernetes object: %v", file, line, err)
		}
		if u.IsList() {
			list, err := u.ToList()
			if err != nil {
				return nil, errorf("%s:%d: %v", file, line, err)
			}
			for _, item := range list.Items {
				objs = append(objs, input.Object{Object: item.Object, Source: input.Source{File: file, Line: line}})
			}
			continue
		}
		objs = append(objs, input.Object{Object: u.Object, Source: input.Source{File: file, Line: line}})
	}
	return objs, nil
}
