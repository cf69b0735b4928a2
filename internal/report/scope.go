package report

import (
	"cmp"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/acme/guard/internal/input"
)

// Scope is where input items sit: a stack (a Terraform stack or plan, a
// chart checked on its own, the plain manifests) and a region in it. The
// HTML report's control matrix has one column per scope, so that a
// control that holds in one region and not the other shows.
type Scope struct {
	Stack string `json:"stack"`
	// Region is the key of the region's module instance ("primary"), else
	// the resource's location or region, else the release's region (its
	// helm provider alias, as the platform's rules name regions); "" for
	// what belongs to no region (a network, an IAM binding).
	Region string `json:"region,omitempty"`
	// Clusters are the GKE clusters of the region: declared in the scope,
	// else (for releases) the clusters of any stack in the same region.
	Clusters []string `json:"clusters,omitempty"`
}

// Scopes are an input's scopes, sorted, and each input item's (by ID).
type Scopes struct {
	List []Scope
	Of   map[string]int
}

// manifestsScope names the stack of plain manifests, which have no release.
const manifestsScope = "manifests"

// moduleKey is an instance key in a module address: module.region["primary"].
var moduleKey = regexp.MustCompile(`\["([^"]+)"\]`)

// ScopesOf places every item of in. Regions are judged as the policy
// library's helpers judge them (tf.region, k8s.context), so the matrix's
// columns are the regions the policies compare.
func ScopesOf(in *input.Input) Scopes {
	type key struct{ stack, region string }
	items := map[string]key{}
	clusters := map[key][]string{}
	for _, r := range in.Terraform.Resources {
		k := key{r.Stack, resourceRegion(r)}
		items[r.ID] = k
		if r.Type == "google_container_cluster" && r.Mode != "data" {
			name, _ := r.Values["name"].(string)
			clusters[k] = append(clusters[k], cmp.Or(name, r.Address))
		}
	}
	for _, o := range in.Kubernetes.Objects {
		k := key{manifestsScope, ""}
		if rel := o.Release; rel != nil {
			k = key{cmp.Or(rel.Stack, rel.Chart), rel.Region}
		}
		items[o.ID] = k
	}
	keys := map[key]bool{}
	for _, k := range items {
		keys[k] = true
	}
	sorted := slices.SortedFunc(maps.Keys(keys), func(a, b key) int {
		return cmp.Or(cmp.Compare(a.stack, b.stack), cmp.Compare(a.region, b.region))
	})
	s := Scopes{Of: map[string]int{}}
	index := map[key]int{}
	for i, k := range sorted {
		sc := Scope{Stack: k.stack, Region: k.region, Clusters: clusters[k]}
		if len(sc.Clusters) == 0 && k.region != "" {
			// A release lands on its region's cluster, declared by another stack.
			for other, cs := range clusters {
				if other.region == k.region {
					sc.Clusters = append(sc.Clusters, cs...)
				}
			}
		}
		slices.Sort(sc.Clusters)
		sc.Clusters = slices.Compact(sc.Clusters)
		s.List = append(s.List, sc)
		index[k] = i
	}
	for id, k := range items {
		s.Of[id] = index[k]
	}
	return s
}

// resourceRegion is tf.region (the module instance key, else location,
// else region), else the provider configuration's alias, as a release's
// region is its helm provider's alias ("helm.primary").
func resourceRegion(r input.Resource) string {
	if m := moduleKey.FindAllStringSubmatch(r.Module, -1); len(m) > 0 {
		return m[len(m)-1][1]
	}
	for _, attr := range []string{"location", "region"} {
		if v, ok := r.Values[attr].(string); ok && v != "" {
			return v
		}
	}
	_, alias, _ := strings.Cut(r.Provider, ".")
	return alias
}
