package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	chartloader "helm.sh/helm/v3/pkg/chart/loader"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/acme/guard/test/e2e/cluster"
)

// SharedCharts is where the base stack's repository charts are (CI has it):
// the archives of the Kyverno and kube-prometheus-stack releases.
func SharedCharts(root string) string { return filepath.Join(root, "..", "shared", "charts") }

// PlatformChartSubjects are the objects the base stack's repository
// charts render in the primary region (the Kyverno and monitoring releases,
// as guard renders them from their archives with the stack's values), with
// the pod each workload would create; and the CRDs those objects need that
// the cluster does not serve yet (kube-prometheus-stack's, which Helm
// installs from the chart's crds/ directories before its templates).
func PlatformChartSubjects(guard, root string) (subjects []Subject, crds []*unstructured.Unstructured, err error) {
	charts := SharedCharts(root)
	in, err := cluster.Inspect(guard, root, "--charts", charts, "stacks/base")
	if err != nil {
		return nil, nil, err
	}
	for _, o := range in.Kubernetes.Objects {
		r := o.Release
		if r == nil || r.Region != "primary" || !strings.Contains(r.Resource, "monitoring") && !strings.Contains(r.Resource, "kyverno_primary") {
			continue
		}
		// guard put the namespaced ones in the release's namespace already.
		obj := &unstructured.Unstructured{Object: o.Object}
		group := "platform-charts/" + strings.TrimPrefix(r.Resource, "helm_release.")
		subjects = append(subjects, Subject{Group: group, Object: obj})
		if pod := PodOf(obj); pod != nil {
			subjects = append(subjects, Subject{Group: group, Object: pod})
		}
	}
	if len(subjects) == 0 {
		return nil, nil, fmt.Errorf("guard rendered nothing of the base stack's repository charts from %s", charts)
	}
	archives, err := filepath.Glob(filepath.Join(charts, "kube-prometheus-stack-*.tgz"))
	if err != nil || len(archives) != 1 {
		return nil, nil, fmt.Errorf("kube-prometheus-stack's archive in %s: %v %v", charts, archives, err)
	}
	ch, err := chartloader.Load(archives[0])
	if err != nil {
		return nil, nil, err
	}
	for _, f := range ch.CRDObjects() {
		objs, err := cluster.DecodeObjects(strings.NewReader(string(f.File.Data)), f.Filename)
		if err != nil {
			return nil, nil, err
		}
		crds = append(crds, objs...)
	}
	return subjects, crds, nil
}

// sharedChartsPresent says whether ../shared/charts is there.
func sharedChartsPresent(root string) bool {
	_, err := os.Stat(SharedCharts(root))
	return err == nil
}
