package cluster

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/yaml"
)

// GatewayAPIVersion is the Gateway API release whose CRDs are installed
// (the one testdata/crds/gateway-api was copied from).
const GatewayAPIVersion = "v1.4.1"

// Platform is what the base stack installs in each cluster that changes
// admission, read from the stack by `guard inspect` (so from the same
// files Terraform applies): Kyverno's settings, the guard-policies release's
// manifests (the library's Kyverno policies, rendered with the platform's
// parameters) and the platform-exceptions release's.
type Platform struct {
	Kyverno  KyvernoSettings
	Policies []*unstructured.Unstructured
}

// inspected is the part of `guard inspect`'s output used here.
type inspected struct {
	Terraform struct {
		Resources []struct {
			Address string         `json:"address"`
			Type    string         `json:"type"`
			Values  map[string]any `json:"values"`
		} `json:"resources"`
	} `json:"terraform"`
	Kubernetes struct {
		Objects []InspectedObject `json:"objects"`
	} `json:"kubernetes"`
}

// InspectedObject is a Kubernetes object as guard's input model holds it.
type InspectedObject struct {
	ID      string         `json:"id"`
	Object  map[string]any `json:"object"`
	Release *struct {
		Name      string `json:"name"`
		Namespace string `json:"namespace"`
		Region    string `json:"region"`
		Resource  string `json:"resource"`
	} `json:"release"`
}

// Inspect runs `guard inspect` on paths (relative to root).
func Inspect(guard, root string, args ...string) (*inspected, error) {
	cmd := exec.Command(guard, append([]string{"inspect"}, args...)...)
	cmd.Dir = root
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("guard inspect %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	var in inspected
	if err := json.Unmarshal(out, &in); err != nil {
		return nil, fmt.Errorf("guard inspect: %v", err)
	}
	return &in, nil
}

// LoadPlatform reads the base stack's Kyverno release (the primary region's;
// both regions install the same) and its policies release.
func LoadPlatform(guard, root string) (*Platform, error) {
	in, err := Inspect(guard, root, "stacks/base")
	if err != nil {
		return nil, err
	}
	p := &Platform{}
	found := false
	for _, r := range in.Terraform.Resources {
		if r.Type != "helm_release" || r.Values["chart"] != "kyverno" || !strings.HasSuffix(r.Address, "_primary") {
			continue
		}
		found = true
		// Values documents apply in order, a later one's setting winning:
		// for these scalar settings, as Helm's deep merge would have it.
		list, _ := r.Values["values"].([]any)
		for _, v := range list {
			doc, _ := v.(string)
			var m map[string]any
			if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
				return nil, fmt.Errorf("%s values: %v", r.Address, err)
			}
			if b, ok, _ := unstructured.NestedBool(m, "features", "policyExceptions", "enabled"); ok {
				p.Kyverno.PolicyExceptions = b
			}
			if ns, ok, _ := unstructured.NestedString(m, "features", "policyExceptions", "namespace"); ok {
				p.Kyverno.ExceptionNamespace = ns
			}
			if b, ok, _ := unstructured.NestedBool(m, "features", "forceFailurePolicyIgnore", "enabled"); ok {
				p.Kyverno.ForceFailurePolicyIgnore = b
			}
		}
	}
	if !found {
		return nil, fmt.Errorf("stacks/base: no helm_release of the kyverno chart for the primary region")
	}
	for _, o := range in.Kubernetes.Objects {
		if o.Release != nil && o.Release.Region == "primary" && (strings.HasPrefix(o.Release.Resource, "helm_release.policies") || strings.HasPrefix(o.Release.Resource, "helm_release.exceptions")) {
			obj := &unstructured.Unstructured{Object: o.Object}
			if obj.GetNamespace() == "" && o.Release.Namespace != "" && obj.GetKind() == "PolicyException" {
				obj.SetNamespace(o.Release.Namespace)
			}
			p.Policies = append(p.Policies, obj)
		}
	}
	if len(p.Policies) == 0 {
		return nil, fmt.Errorf("stacks/base: the policies release renders no manifests")
	}
	return p, nil
}

// Up starts a control plane in dir with the platform installed: the CRDs
// the app chart uses, Kyverno configured as the stack configures it, and
// the stack's policies, ready to enforce. Namespaces given are created
// before the policies are: test fixtures' namespaces that exist in the
// clusters (or existed before the policies did).
func Up(ctx context.Context, root, dir, guard string, namespaces ...*unstructured.Unstructured) (*Cluster, error) {
	platform, err := LoadPlatform(guard, root)
	if err != nil {
		return nil, err
	}
	kyvernoDir, err := moduleDir(filepath.Join(root, "tools", "kyverno"), "github.com/kyverno/kyverno")
	if err != nil {
		return nil, err
	}
	gatewayDir, err := moduleDir(root, "sigs.k8s.io/gateway-api@"+GatewayAPIVersion)
	if err != nil {
		return nil, err
	}
	bins := DefaultBinaries(root)
	c, err := Start(ctx, dir, bins)
	if err != nil {
		return nil, err
	}
	if err := c.installPlatform(ctx, root, bins, kyvernoDir, gatewayDir, platform, namespaces); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

func (c *Cluster) installPlatform(ctx context.Context, root string, bins Binaries, kyvernoDir, gatewayDir string, p *Platform, namespaces []*unstructured.Unstructured) error {
	// Every CRD before Kyverno starts: the Gateway API's and GKE's for the
	// chart; Argo Rollouts' because the pod policies list Rollouts among
	// their autogen controllers, and Argo CD's because K8S-011 matches
	// Applications, which Kyverno resolves (and registers webhooks for)
	// through discovery.
	var crds []*unstructured.Unstructured
	for _, dir := range []string{
		filepath.Join(gatewayDir, "config", "crd", "standard"),
		filepath.Join(root, "testdata", "crds", "gke"),
		filepath.Join(root, "testdata", "crds", "argo-rollouts"),
		filepath.Join(root, "testdata", "crds", "argo-cd"),
	} {
		objs, err := ReadDir(dir)
		if err != nil {
			return err
		}
		crds = append(crds, objs...)
	}
	if err := c.InstallCRDs(ctx, crds); err != nil {
		return err
	}
	if err := c.StartKyverno(ctx, bins.Kyverno, kyvernoDir, p.Kyverno); err != nil {
		return err
	}
	if err := c.Apply(ctx, "", namespaces...); err != nil {
		return err
	}
	if err := c.Apply(ctx, kyvernoNamespace, p.Policies...); err != nil {
		return err
	}
	return c.WaitPolicies(ctx, p.Policies)
}

// WaitPolicies waits until Kyverno reports every policy ready (its webhook
// rules registered).
func (c *Cluster) WaitPolicies(ctx context.Context, policies []*unstructured.Unstructured) error {
	for _, pol := range policies {
		if pol.GetKind() != "ValidatingPolicy" && pol.GetKind() != "ClusterPolicy" {
			continue
		}
		ri, err := c.resource(pol.DeepCopy(), kyvernoNamespace)
		if err != nil {
			return err
		}
		name := pol.GetName()
		err = c.poll(ctx, 2*time.Minute, pol.GetKind()+" "+name+" ready", func() (bool, error) {
			got, err := ri.Get(ctx, name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			// Ready summarises every condition, some of which (RBAC for
			// background reports) do not concern admission: wait for the
			// one that does.
			conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditionStatus", "conditions")
			want := map[string]bool{"WebhookConfigured": false}
			for _, cond := range conds {
				m, _ := cond.(map[string]any)
				t, _ := m["type"].(string)
				if _, ok := want[t]; ok {
					want[t] = m["status"] == "True"
				}
			}
			for t, ok := range want {
				if !ok {
					return false, fmt.Errorf("condition %s not true: %v", t, conds)
				}
			}
			return true, nil
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// moduleDir is the module cache directory of a module: the version that
// the module in dir requires, or the exact module@version given.
func moduleDir(dir, module string) (string, error) {
	var cmd *exec.Cmd
	if strings.Contains(module, "@") {
		cmd = exec.Command("go", "mod", "download", "-json", module)
	} else {
		cmd = exec.Command("go", "list", "-m", "-json", module)
	}
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GOFLAGS=-mod=mod")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("locating module %s: %v: %s", module, err, strings.TrimSpace(stderr.String()))
	}
	var info struct{ Dir string }
	if err := json.Unmarshal(out, &info); err != nil || info.Dir == "" {
		return "", fmt.Errorf("locating module %s: no directory in %s", module, out)
	}
	return info.Dir, nil
}

func admissionregistrationV1(resource string) schema.GroupVersionResource {
	return schema.GroupVersionResource{Group: "admissionregistration.k8s.io", Version: "v1", Resource: resource}
}
