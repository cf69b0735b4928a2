package kyverno

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/manifest"
)

// document is one Kubernetes-shaped YAML document of a policy directory.
type document struct {
	obj  map[string]any
	file string
	line int
}

func (d document) kind() string { s, _ := d.obj["kind"].(string); return s }

func (d document) group() string {
	apiVersion, _ := d.obj["apiVersion"].(string)
	if i := strings.Index(apiVersion, "/"); i >= 0 {
		return apiVersion[:i]
	}
	return ""
}

// decode converts the document into a typed object, the way Kyverno's own
// loader converts policies.kyverno.io/v1 documents into its v1beta1 types.
func (d document) decode(into any) error {
	data, err := json.Marshal(d.obj)
	if err == nil {
		err = json.Unmarshal(data, into)
	}
	if err != nil {
		return &Error{File: d.file, Line: d.line, Msg: fmt.Sprintf("%s: %v", d.kind(), err)}
	}
	return nil
}

func decodeFile(path string) ([]document, error) {
	data, err := readFile(path)
	if err != nil {
		return nil, err
	}
	return decodeDocuments(filepath.ToSlash(path), data)
}

// decodeDocuments decodes the YAML documents of one file, named name.
func decodeDocuments(name string, data []byte) ([]document, error) {
	objs, err := manifest.Decode(name, data, manifest.Walked, limits.Default)
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	docs := make([]document, 0, len(objs))
	for _, o := range objs {
		docs = append(docs, document{obj: o.Object, file: o.Source.File, line: o.Source.Line})
	}
	return docs, nil
}

// readFile reads a regular file within the default limits: a FIFO or a
// device among the policies would block or never end.
func readFile(path string) ([]byte, error) {
	data, err := limits.ReadFile(path, limits.Default, filepath.ToSlash)
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	return data, nil
}
