package manifest

import (
	"reflect"
	"strings"
	"testing"

	"github.com/acme/guard/internal/limits"
)

// Objects are what the API server stores: a field written with nothing
// under it (null) is not there, at any depth, as a chart renders `data:`
// around an empty range or `envFrom:` around an unset value.
func TestNullFieldsAreDropped(t *testing.T) {
	src := `apiVersion: v1
kind: ConfigMap
metadata:
  name: empty
  labels:
data:
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  template:
    spec:
      containers:
        - name: web
          image: web:1
          envFrom:
          env: [{name: A, value: "1", valueFrom: null}]
`
	objs, err := Decode("x.yaml", []byte(src), Named, limits.Default)
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]any{"name": "empty"}; !reflect.DeepEqual(objs[0].Object["metadata"], want) || objs[0].Object["data"] != nil {
		t.Errorf("ConfigMap %v", objs[0].Object)
	}
	c := objs[1].Object["spec"].(map[string]any)["template"].(map[string]any)["spec"].(map[string]any)["containers"].([]any)[0].(map[string]any)
	if _, ok := c["envFrom"]; ok || !reflect.DeepEqual(c["env"], []any{map[string]any{"name": "A", "value": "1"}}) {
		t.Errorf("container %v", c)
	}
}

// The line of each document, and the errors that name file and line.
func TestDecodeLinesAndErrors(t *testing.T) {
	objs, err := Decode("x.yaml", []byte("# c\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"), Named, limits.Default)
	if err != nil || len(objs) != 2 || objs[0].Source.Line != 2 || objs[1].Source.Line != 6 {
		t.Fatalf("%+v %v", objs, err)
	}
	for _, tt := range []struct {
		src  string
		mode Mode
		want string
	}{
		{"a: 1\n", Named, "x.yaml:1: not a Kubernetes object"},
		{"a: 1\n", FromTemplate, "x.yaml:1: the template renders a document that is not a Kubernetes object"},
		{"apiVersion: v1\nkind: Pod\nmetadata:\n  labels: [a]\n", Named, "x.yaml:1: Pod: metadata.labels: an array where map[string]string is expected"},
		{"apiVersion: v1\nkind: Pod\nmetadata: {name: p\n", Named, "x.yaml:3: malformed YAML"},
	} {
		_, err := Decode("x.yaml", []byte(tt.src), tt.mode, limits.Default)
		if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.src, err, tt.want)
		}
	}
	if objs, err := Decode("x.yaml", []byte("a: 1\n"), Walked, limits.Default); err != nil || len(objs) != 0 {
		t.Errorf("walked: %v %v", objs, err)
	}
}
