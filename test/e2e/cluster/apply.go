package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"k8s.io/client-go/dynamic"
)

const fieldManager = "guard-e2e"

// ReadObjects decodes every non-empty document of a YAML or JSON stream.
func ReadObjects(path string) ([]*unstructured.Unstructured, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodeObjects(f, path)
}

// DecodeObjects decodes a multi-document YAML stream; name is for errors.
func DecodeObjects(r io.Reader, name string) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(r, 4096)
	var out []*unstructured.Unstructured
	for {
		var m map[string]any
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return out, nil
		} else if err != nil {
			return nil, fmt.Errorf("%s: %v", name, err)
		}
		if len(m) == 0 {
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
}

// ReadDir decodes every .yaml file under dir, in path order.
func ReadDir(dir string) ([]*unstructured.Unstructured, error) {
	var paths []string
	err := filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".yaml") {
			paths = append(paths, p)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(paths)
	var out []*unstructured.Unstructured
	for _, p := range paths {
		objs, err := ReadObjects(p)
		if err != nil {
			return nil, err
		}
		out = append(out, objs...)
	}
	return out, nil
}

// resource finds the REST endpoint of an object's kind; defaultNamespace
// fills in a namespaced object's namespace when it has none.
func (c *Cluster) resource(obj *unstructured.Unstructured, defaultNamespace string) (dynamic.ResourceInterface, error) {
	gvk := obj.GroupVersionKind()
	mapping, err := c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	if meta.IsNoMatchError(err) {
		// A CRD installed a moment ago: discovery has to be read again.
		c.mapper.Reset()
		mapping, err = c.mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
	}
	if err != nil {
		return nil, fmt.Errorf("%s %s: %v", gvk.Kind, obj.GetName(), err)
	}
	if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
		return c.Dynamic.Resource(mapping.Resource), nil
	}
	if obj.GetNamespace() == "" {
		obj.SetNamespace(defaultNamespace)
	}
	return c.Dynamic.Resource(mapping.Resource).Namespace(obj.GetNamespace()), nil
}

// Apply creates or updates objects for real (server-side apply).
func (c *Cluster) Apply(ctx context.Context, defaultNamespace string, objs ...*unstructured.Unstructured) error {
	for _, obj := range objs {
		ri, err := c.resource(obj, defaultNamespace)
		if err != nil {
			return err
		}
		data, err := json.Marshal(obj.Object)
		if err != nil {
			return err
		}
		force := true
		if _, err := ri.Patch(ctx, obj.GetName(), types.ApplyPatchType, data,
			metav1.PatchOptions{FieldManager: fieldManager, Force: &force}); err != nil {
			return fmt.Errorf("apply %s %s: %v", obj.GetKind(), obj.GetName(), err)
		}
	}
	return nil
}

// Verdict is the cluster's answer to a create request.
type Verdict struct {
	Admitted bool
	// Message is the apiserver's error for a denial.
	Message string
	// Warnings are the admission warnings (Pod Security's "would violate"
	// for workloads among them).
	Warnings []string
}

// DryRunCreate submits obj as a server-side dry-run create: the whole
// admission chain runs, nothing is stored. An object that already exists
// has passed admission (storage answers AlreadyExists only after it).
func (c *Cluster) DryRunCreate(ctx context.Context, obj *unstructured.Unstructured) (Verdict, error) {
	var warnings warningRecorder
	client, err := c.withWarnings(&warnings)
	if err != nil {
		return Verdict{}, err
	}
	ri, err := client.resource(obj.DeepCopy(), "default")
	if err != nil {
		return Verdict{}, err
	}
	_, err = ri.Create(ctx, obj, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldManager: fieldManager})
	v := Verdict{Warnings: warnings.list()}
	switch {
	case err == nil, apierrors.IsAlreadyExists(err):
		v.Admitted = true
	case apierrors.IsForbidden(err), apierrors.IsInvalid(err), apierrors.IsBadRequest(err), isWebhookDenial(err):
		v.Message = err.Error()
	default:
		return v, fmt.Errorf("dry-run create %s %s/%s: %v", obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
	}
	return v, nil
}

// isWebhookDenial: a webhook's denial carries whatever status code the webhook
// chose (Kyverno's fall in the cases above); with any other code it is still a
// verdict of the cluster, not a failure to ask it.
func isWebhookDenial(err error) bool {
	var status apierrors.APIStatus
	return errors.As(err, &status) && strings.Contains(status.Status().Message, "admission webhook")
}

// WaitEstablished waits for CRDs to be served.
func (c *Cluster) WaitEstablished(ctx context.Context, crds []*unstructured.Unstructured) error {
	for _, crd := range crds {
		name := crd.GetName()
		ri, err := c.resource(crd, "")
		if err != nil {
			return err
		}
		err = c.poll(ctx, 60*time.Second, "CRD "+name, func() (bool, error) {
			got, err := ri.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
			for _, cond := range conds {
				m, _ := cond.(map[string]any)
				if m["type"] == "Established" && m["status"] == "True" {
					return true, nil
				}
			}
			return false, nil
		})
		if err != nil {
			return err
		}
	}
	c.mapper.Reset()
	return nil
}

// warningRecorder collects the warnings of one request.
type warningRecorder struct{ warnings []string }

func (w *warningRecorder) HandleWarningHeader(code int, agent, text string) {
	if code == 299 && text != "" {
		w.warnings = append(w.warnings, text)
	}
}

func (w *warningRecorder) list() []string {
	out := append([]string(nil), w.warnings...)
	sort.Strings(out)
	return out
}

// withWarnings is a client of the same cluster whose requests report their
// warnings to w.
func (c *Cluster) withWarnings(w *warningRecorder) (*Cluster, error) {
	cfg := *c.REST
	cfg.WarningHandler = w
	dyn, err := dynamic.NewForConfig(&cfg)
	if err != nil {
		return nil, err
	}
	clone := *c
	clone.Dynamic = dyn
	return &clone, nil
}

// YAML is a convenience for tests and small fixtures.
func YAML(doc string) (*unstructured.Unstructured, error) {
	objs, err := DecodeObjects(bytes.NewBufferString(doc), "inline")
	if err != nil {
		return nil, err
	}
	if len(objs) != 1 {
		return nil, fmt.Errorf("inline: want one object, got %d", len(objs))
	}
	return objs[0], nil
}
