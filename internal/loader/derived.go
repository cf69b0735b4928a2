package loader

import (
	"slices"
	"strings"

	"k8s.io/apimachinery/pkg/runtime"

	"github.com/acme/guard/internal/input"
)

// derivedObjects are the objects controllers create from objects of the
// input, which admission then judges in their own right, and no manifest
// holds: the Job Argo Rollouts creates from each job metric of an
// AnalysisTemplate or ClusterAnalysisTemplate (named template-metric, in the
// template's namespace). A privileged smoke test would otherwise pass every
// check and be denied in the middle of a rollout. Each names the object it
// comes from (DerivedFrom: kind/namespace/name) and is located at its source.
func derivedObjects(objects []input.Object) []input.Object {
	var out []input.Object
	for _, o := range objects {
		if o.Kind() != "AnalysisTemplate" && o.Kind() != "ClusterAnalysisTemplate" {
			continue
		}
		apiVersion, _ := o.Object["apiVersion"].(string)
		if apiVersion != "argoproj.io/v1alpha1" {
			continue
		}
		spec, _ := o.Object["spec"].(map[string]any)
		metrics, _ := spec["metrics"].([]any)
		for _, m := range metrics {
			metric, _ := m.(map[string]any)
			provider, _ := metric["provider"].(map[string]any)
			job, _ := provider["job"].(map[string]any)
			jobSpec, ok := job["spec"].(map[string]any)
			name, _ := metric["name"].(string)
			if !ok || name == "" {
				continue
			}
			metadata := map[string]any{"name": o.Name() + "-" + name}
			if ns := o.Namespace(); ns != "" {
				metadata["namespace"] = ns
			}
			if jm, ok := job["metadata"].(map[string]any); ok {
				for _, k := range []string{"labels", "annotations"} {
					if v, ok := jm[k].(map[string]any); ok {
						metadata[k] = v
					}
				}
			}
			// A copy: the Job is an object of its own (defaulting and
			// redaction change it, never the template).
			obj := runtime.DeepCopyJSON(map[string]any{"apiVersion": "batch/v1", "kind": "Job", "metadata": metadata, "spec": jobSpec})
			d := input.Object{
				Object:      obj,
				Source:      o.Source,
				Release:     o.Release,
				DerivedFrom: strings.TrimPrefix(o.Kind()+"/"+o.Namespace()+"/"+o.Name(), "/"),
			}
			out = append(out, d)
		}
	}
	return slices.Clip(out)
}
