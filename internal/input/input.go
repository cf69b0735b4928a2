// Package input defines the one model every loader produces and every engine reads.
//
// Both engines and both layers see the same document, so a rule can join Terraform
// resources with the Kubernetes objects that land on them. The JSON encoding of
// Input is exactly what a Rego policy receives as `input` and what `guard inspect`
// prints; keep field names stable.
package input

import (
	"sort"
	"strconv"
	"strings"
)

// Input is the whole normalized view of everything guard was asked to check.
type Input struct {
	Terraform  Terraform  `json:"terraform"`
	Kubernetes Kubernetes `json:"kubernetes"`
}

// Terraform holds the resources of every plan and HCL stack loaded.
type Terraform struct {
	Resources []Resource `json:"resources"`
	// ByType lists, for each resource type, the positions in Resources of
	// its resources: policies look resources up by type instead of each
	// query scanning them all (set by Finalize).
	ByType map[string][]int `json:"by_type"`
}

// Kubernetes holds every manifest loaded or rendered.
type Kubernetes struct {
	Objects []Object `json:"objects"`
	// ByKind lists, for each kind, the positions in Objects of its objects
	// (set by Finalize).
	ByKind map[string][]int `json:"by_kind"`
}

// Source is where a resource or object is written down.
type Source struct {
	File string `json:"file"`
	Line int    `json:"line,omitempty"`
	// Via are the module calls that lead to a resource in a module, from
	// the root inward: where the user chose the module's inputs.
	Via []Call `json:"via,omitempty"`
}

// Call is a module block that calls the module a resource is declared in.
type Call struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Module string `json:"module"` // the call's address, instance keys dropped: "module.gke"
}

// Resource is one Terraform resource instance, from a plan or from HCL.
type Resource struct {
	// ID is unique in the Input: the address, prefixed with the stack when
	// several stacks are loaded ("base:google_compute_network.vpc").
	ID      string `json:"id"`
	Address string `json:"address"`
	Mode    string `json:"mode"`
	Type    string `json:"type"`
	Name    string `json:"name"`
	// Index is the count index (number) or for_each key (string), absent otherwise.
	Index any `json:"index,omitempty"`
	// Module is the module instance address ("module.region[\"primary\"]"), "" at the root.
	Module string `json:"module"`
	// Config is the address of the block that declares it, instance keys
	// dropped ("module.region.google_container_cluster.this"): every region's
	// instance of one block shares it.
	Config string `json:"config"`
	// Provider is the provider configuration key ("google", "helm.primary").
	Provider string `json:"provider,omitempty"`
	Stack    string `json:"stack"`
	// Action is create, update, delete, replace, read or no-op for a plan; "config" for HCL.
	Action string `json:"action"`
	// Values are the known attribute values, in Terraform's own shape (blocks are lists).
	Values map[string]any `json:"values"`
	// Unknown mirrors Values: true where a value is known only after apply.
	Unknown map[string]any `json:"unknown"`
	// Sensitive mirrors Values: true where a value is sensitive.
	Sensitive map[string]any `json:"sensitive"`
	// References mirrors Unknown for HCL stacks: where an unknown value comes
	// from other resources' attributes, the list of their addresses
	// ("google_service_account.gke_nodes.email"). Empty for plans.
	References map[string]any `json:"references"`
	Source     Source         `json:"source"`
}

// Release says which Helm release rendered an object and where it lands.
type Release struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Chart     string `json:"chart"`
	// Region is the helm provider alias of the release ("primary"), when it has one.
	Region string `json:"region,omitempty"`
	// Resource is the ID of the helm_release resource that deploys it, if any.
	Resource string `json:"resource,omitempty"`
	// Stack is the Terraform stack of that helm_release.
	Stack string `json:"stack,omitempty"`
}

// Object is one Kubernetes manifest.
type Object struct {
	// ID is unique in the Input: kind/namespace/name, prefixed with the release
	// context for rendered charts: the helm_release ("helm_release.app_primary:Deployment/app/app")
	// or the chart directory checked on its own ("charts/app:Deployment/default/app").
	ID      string         `json:"id"`
	Object  map[string]any `json:"object"`
	Source  Source         `json:"source"`
	Release *Release       `json:"release,omitempty"`
	// DerivedFrom is the object (kind/namespace/name) a controller creates
	// this one from (the Job of an Argo Rollouts AnalysisTemplate's job
	// metric); Source is where that object is written. Empty for what the
	// input holds itself.
	DerivedFrom string `json:"derived_from,omitempty"`
}

// Kind, Namespace and Name read the manifest's identity.
func (o Object) Kind() string { return str(o.Object["kind"]) }

// Namespace is metadata.namespace, "" for cluster-scoped or unset.
func (o Object) Namespace() string { return str(meta(o.Object)["namespace"]) }

// Name is metadata.name.
func (o Object) Name() string { return str(meta(o.Object)["name"]) }

// AdmissionNamespace is the namespace the API server puts o in: its own, or
// "default" when it is namespaced and names none (as kubectl does).
func (o Object) AdmissionNamespace() string {
	if ns := o.Namespace(); ns != "" || ClusterScoped(o.Kind()) {
		return ns
	}
	return "default"
}

func meta(obj map[string]any) map[string]any {
	m, _ := obj["metadata"].(map[string]any)
	return m
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// Merge appends other's content.
func (in *Input) Merge(other *Input) {
	in.Terraform.Resources = append(in.Terraform.Resources, other.Terraform.Resources...)
	in.Kubernetes.Objects = append(in.Kubernetes.Objects, other.Kubernetes.Objects...)
}

// Finalize sorts the content and assigns unique IDs, so that output never
// depends on the order files were read in.
func (in *Input) Finalize() {
	stacks := map[string]bool{}
	for _, r := range in.Terraform.Resources {
		stacks[r.Stack] = true
	}
	resourceID := func(stack, address string) string {
		if len(stacks) > 1 {
			return stack + ":" + address
		}
		return address
	}
	for i := range in.Terraform.Resources {
		r := &in.Terraform.Resources[i]
		r.ID = resourceID(r.Stack, r.Address)
		if r.Values == nil {
			r.Values = map[string]any{}
		}
		if r.Unknown == nil {
			r.Unknown = map[string]any{}
		}
		if r.Sensitive == nil {
			r.Sensitive = map[string]any{}
		}
		if r.References == nil {
			r.References = map[string]any{}
		}
	}
	sort.SliceStable(in.Terraform.Resources, func(i, j int) bool {
		a, b := in.Terraform.Resources[i], in.Terraform.Resources[j]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		return a.Source.File < b.Source.File
	})
	for i := range in.Kubernetes.Objects {
		o := &in.Kubernetes.Objects[i]
		if o.Release != nil && o.Release.Resource != "" && !strings.HasPrefix(o.Release.Resource, o.Release.Stack+":") {
			o.Release.Resource = resourceID(o.Release.Stack, o.Release.Resource)
		}
		id := o.Kind() + "/"
		if ns := o.Namespace(); ns != "" {
			id += ns + "/"
		}
		id += o.Name()
		switch {
		case o.Release != nil && o.Release.Resource != "":
			id = o.Release.Resource + ":" + id
		case o.Release != nil:
			id = o.Release.Chart + ":" + id
		}
		o.ID = id
	}
	sort.SliceStable(in.Kubernetes.Objects, func(i, j int) bool {
		a, b := in.Kubernetes.Objects[i], in.Kubernetes.Objects[j]
		if a.ID != b.ID {
			return a.ID < b.ID
		}
		if a.Source.File != b.Source.File {
			return a.Source.File < b.Source.File
		}
		return a.Source.Line < b.Source.Line
	})
	dedupe(len(in.Kubernetes.Objects), func(i int) *string { return &in.Kubernetes.Objects[i].ID })
	dedupe(len(in.Terraform.Resources), func(i int) *string { return &in.Terraform.Resources[i].ID })
	in.Terraform.ByType = map[string][]int{}
	for i, r := range in.Terraform.Resources {
		in.Terraform.ByType[r.Type] = append(in.Terraform.ByType[r.Type], i)
	}
	in.Kubernetes.ByKind = map[string][]int{}
	for i, o := range in.Kubernetes.Objects {
		in.Kubernetes.ByKind[o.Kind()] = append(in.Kubernetes.ByKind[o.Kind()], i)
	}
}

// dedupe suffixes repeated IDs (the same manifest given twice) with "#2", "#3", ...
// in sorted order, so every finding still points at one item.
func dedupe(n int, id func(int) *string) {
	seen := map[string]int{}
	for i := 0; i < n; i++ {
		p := id(i)
		seen[*p]++
		if c := seen[*p]; c > 1 {
			*p = *p + "#" + strconv.Itoa(c)
		}
	}
}

// Index finds the source of an input item by the name a policy result gives:
// its ID, or, where that is unambiguous, a Terraform address or a manifest's
// kind/namespace/name.
type Index struct{ sources map[string]Source }

// NewIndex indexes an Input.
func NewIndex(in *Input) *Index {
	ix := &Index{sources: map[string]Source{}}
	aliases := map[string][]Source{}
	for _, r := range in.Terraform.Resources {
		ix.sources[r.ID] = r.Source
		aliases[r.Address] = append(aliases[r.Address], r.Source)
	}
	for _, o := range in.Kubernetes.Objects {
		ix.sources[o.ID] = o.Source
		short := o.ID[strings.LastIndex(o.ID, ":")+1:]
		aliases[short] = append(aliases[short], o.Source)
	}
	for name, srcs := range aliases {
		if _, taken := ix.sources[name]; !taken && len(srcs) == 1 {
			ix.sources[name] = srcs[0]
		}
	}
	return ix
}

// Source returns where the named item is written down.
func (ix *Index) Source(name string) (Source, bool) {
	s, ok := ix.sources[name]
	return s, ok
}

// clusterScoped are the kinds that have no namespace (built-in ones, and the
// Kyverno and Gateway API ones the platform uses). Without a cluster there is
// no discovery to ask, so every other kind is taken to be namespaced.
var clusterScoped = map[string]bool{
	"Namespace": true, "Node": true, "PersistentVolume": true, "ClusterRole": true, "ClusterRoleBinding": true,
	"CustomResourceDefinition": true, "StorageClass": true, "PriorityClass": true, "IngressClass": true,
	"RuntimeClass": true, "CSIDriver": true, "APIService": true, "GatewayClass": true,
	"ValidatingWebhookConfiguration": true, "MutatingWebhookConfiguration": true,
	"ValidatingAdmissionPolicy": true, "ValidatingAdmissionPolicyBinding": true,
	"MutatingAdmissionPolicy": true, "MutatingAdmissionPolicyBinding": true,
	"ClusterPolicy": true, "ValidatingPolicy": true, "ImageValidatingPolicy": true,
	"MutatingPolicy": true, "GeneratingPolicy": true, "DeletingPolicy": true,
}

// DropNulls removes, in place and at every depth, the map entries whose
// value is null, and returns v: Terraform's "not set" in a plan (a quarter
// of a real plan's attributes), and what the API server does not store of
// a manifest (a typed field decodes null to nothing; a custom resource's
// null is pruned). List elements keep their positions.
func DropNulls(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if e == nil {
				delete(t, k)
				continue
			}
			DropNulls(e)
		}
	case []any:
		for _, e := range t {
			DropNulls(e)
		}
	}
	return v
}

// ClusterScoped says whether objects of a kind live outside namespaces.
func ClusterScoped(kind string) bool { return clusterScoped[kind] }
