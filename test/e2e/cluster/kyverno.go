package cluster

import (
	"context"
	"crypto/tls"
	"fmt"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// KyvernoSettings are the parts of the stack's Kyverno Helm values that
// change admission verdicts (stacks/base/kubernetes.tf).
type KyvernoSettings struct {
	// PolicyExceptions: features.policyExceptions.enabled / .namespace.
	PolicyExceptions   bool
	ExceptionNamespace string
	// ForceFailurePolicyIgnore: features.forceFailurePolicyIgnore.enabled.
	ForceFailurePolicyIgnore bool
}

// The names Kyverno's install manifest gives its admission controller.
const (
	kyvernoNamespace  = "kyverno"
	admissionName     = "kyverno-admission-controller"
	admissionPodName  = "kyverno-admission-controller-e2e"
	installManifest   = "config/install-latest-testing.yaml"
	kyvernoCRDs       = "config/crds"
	kyvernoContainer  = "kyverno"
	webhookConfigName = "kyverno-resource-validating-webhook-cfg"
)

// StartKyverno installs Kyverno from its Go module directory (the same
// release guard embeds): its CRDs from config/crds, and from its install
// manifest the namespace, ConfigMaps, service accounts and RBAC. Then it
// runs the admission controller outside the cluster, with the install
// manifest's arguments and environment, as the stack's values set them.
func (c *Cluster) StartKyverno(ctx context.Context, bin, moduleDir string, s KyvernoSettings) error {
	crds, err := ReadDir(filepath.Join(moduleDir, kyvernoCRDs))
	if err != nil {
		return err
	}
	if err := c.InstallCRDs(ctx, crds); err != nil {
		return err
	}
	install, err := ReadObjects(filepath.Join(moduleDir, installManifest))
	if err != nil {
		return err
	}
	var deployment *unstructured.Unstructured
	var rest []*unstructured.Unstructured
	for _, obj := range install {
		switch obj.GetKind() {
		case "CustomResourceDefinition":
		case "Deployment":
			if obj.GetName() == admissionName {
				deployment = obj
			}
		default:
			rest = append(rest, obj)
		}
	}
	if deployment == nil {
		return fmt.Errorf("%s: no Deployment %s", installManifest, admissionName)
	}
	if err := c.Apply(ctx, kyvernoNamespace, rest...); err != nil {
		return err
	}
	if err := c.aggregateClusterRoles(ctx); err != nil {
		return err
	}
	args, env, err := admissionCommand(deployment)
	if err != nil {
		return err
	}
	port := strconv.Itoa(c.state.WebhookPort)
	args = override(args, map[string]string{
		"kubeconfig":        c.Kubeconfig,
		"serverIP":          "127.0.0.1:" + port,
		"webhookServerHost": "127.0.0.1",
		"webhookServerPort": port,
		// Nothing scrapes metrics here, and their fixed ports would clash
		// with a second cluster on the same machine.
		"disableMetrics":                  "true",
		"controllerRuntimeMetricsAddress": "0",
		"enablePolicyException":           strconv.FormatBool(s.PolicyExceptions),
		"exceptionNamespace":              s.ExceptionNamespace,
		"forceFailurePolicyIgnore":        strconv.FormatBool(s.ForceFailurePolicyIgnore),
	})
	if err := c.spawn("kyverno", bin, env, args...); err != nil {
		return err
	}
	return c.waitKyverno(ctx)
}

// InstallCRDs applies CRDs and waits until they are served.
func (c *Cluster) InstallCRDs(ctx context.Context, crds []*unstructured.Unstructured) error {
	if err := c.Apply(ctx, "", crds...); err != nil {
		return err
	}
	return c.WaitEstablished(ctx, crds)
}

// admissionCommand reads the kyverno container's arguments and environment
// from the admission controller's Deployment. Environment taken from the
// pod (namespace, pod name) is given the values the pod would have.
func admissionCommand(d *unstructured.Unstructured) (args, env []string, err error) {
	containers, _, _ := unstructured.NestedSlice(d.Object, "spec", "template", "spec", "containers")
	for _, ct := range containers {
		m, _ := ct.(map[string]any)
		if m["name"] != kyvernoContainer {
			continue
		}
		for _, a := range m["args"].([]any) {
			args = append(args, a.(string))
		}
		for _, e := range m["env"].([]any) {
			ev := e.(map[string]any)
			name, _ := ev["name"].(string)
			value, ok := ev["value"].(string)
			if !ok {
				path, _, _ := unstructured.NestedString(ev, "valueFrom", "fieldRef", "fieldPath")
				switch path {
				case "metadata.namespace":
					value = kyvernoNamespace
				case "metadata.name":
					value = admissionPodName
				default:
					continue
				}
			}
			env = append(env, name+"="+value)
		}
		return args, env, nil
	}
	return nil, nil, fmt.Errorf("%s: Deployment %s has no container %q", installManifest, admissionName, kyvernoContainer)
}

// override sets --name=value flags, replacing the manifest's own.
func override(args []string, set map[string]string) []string {
	var out []string
	for _, a := range args {
		name, _, _ := strings.Cut(strings.TrimLeft(a, "-"), "=")
		if _, ok := set[name]; !ok {
			out = append(out, a)
		}
	}
	for _, name := range slices.Sorted(maps.Keys(set)) {
		out = append(out, "--"+name+"="+set[name])
	}
	return out
}

// aggregateClusterRoles fills in the rules of every ClusterRole that
// aggregates others by label (Kyverno's, and the built-in view/edit/admin
// it builds on): the controller-manager does this in a real cluster. Two
// passes settle roles that aggregate aggregated roles.
func (c *Cluster) aggregateClusterRoles(ctx context.Context) error {
	roles := c.Dynamic.Resource(schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterroles"})
	for pass := 0; pass < 2; pass++ {
		list, err := roles.List(ctx, metav1.ListOptions{})
		if err != nil {
			return err
		}
		for i := range list.Items {
			role := &list.Items[i]
			selectors, found, _ := unstructured.NestedSlice(role.Object, "aggregationRule", "clusterRoleSelectors")
			if !found {
				continue
			}
			var rules []any
			for _, sel := range selectors {
				var ls metav1.LabelSelector
				if err := runtime.DefaultUnstructuredConverter.FromUnstructured(sel.(map[string]any), &ls); err != nil {
					return err
				}
				selector, err := metav1.LabelSelectorAsSelector(&ls)
				if err != nil {
					return err
				}
				for j := range list.Items {
					other := &list.Items[j]
					if j != i && selector.Matches(labels.Set(other.GetLabels())) {
						r, _, _ := unstructured.NestedSlice(other.Object, "rules")
						rules = append(rules, r...)
					}
				}
			}
			if err := unstructured.SetNestedSlice(role.Object, rules, "rules"); err != nil {
				return err
			}
			if _, err := roles.Update(ctx, role, metav1.UpdateOptions{FieldManager: fieldManager}); err != nil {
				return fmt.Errorf("aggregating ClusterRole %s: %v", role.GetName(), err)
			}
		}
	}
	return nil
}

// waitKyverno waits for the webhook server to be ready and for Kyverno to
// register its resource validating webhook with the apiserver.
func (c *Cluster) waitKyverno(ctx context.Context) error {
	client := &http.Client{
		Timeout: 2 * time.Second,
		// Kyverno's certificate is signed by the CA it generated itself.
		Transport: &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}},
	}
	url := "https://127.0.0.1:" + strconv.Itoa(c.state.WebhookPort) + "/health/readiness"
	if err := c.poll(ctx, 3*time.Minute, "Kyverno readiness", func() (bool, error) {
		resp, err := client.Get(url)
		if err != nil {
			return false, err
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	}); err != nil {
		return err
	}
	vwc := c.Dynamic.Resource(admissionregistrationV1("validatingwebhookconfigurations"))
	return c.poll(ctx, 2*time.Minute, "Kyverno's webhook configuration", func() (bool, error) {
		_, err := vwc.Get(ctx, webhookConfigName, metav1.GetOptions{})
		return err == nil, err
	})
}
