package loader

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/acme/guard/internal/evidence"
	"github.com/acme/guard/internal/input"
)

const repoRoot = "../.."

func load(t *testing.T, opts Options, paths ...string) *input.Input {
	t.Helper()
	in, err := loadErr(opts, paths...)
	if err != nil {
		t.Fatalf("load %v: %v", paths, err)
	}
	return in
}

func loadErr(opts Options, paths ...string) (*input.Input, error) {
	opts.WorkDir = repoRoot
	l, err := New(opts)
	if err != nil {
		return nil, err
	}
	full := make([]string, len(paths))
	for i, p := range paths {
		full[i] = filepath.Join(repoRoot, p)
	}
	return l.Load(context.Background(), full)
}

func resource(t *testing.T, in *input.Input, address string) input.Resource {
	t.Helper()
	for _, r := range in.Terraform.Resources {
		if r.Address == address {
			return r
		}
	}
	t.Fatalf("no resource %s", address)
	return input.Resource{}
}

// at walks a path of keys and indexes through maps and lists.
func at(v any, path ...any) (any, bool) {
	for _, step := range path {
		switch s := step.(type) {
		case string:
			m, ok := v.(map[string]any)
			if !ok {
				return nil, false
			}
			if v, ok = m[s]; !ok {
				return nil, false
			}
		case int:
			l, ok := v.([]any)
			if !ok || s >= len(l) {
				return nil, false
			}
			v = l[s]
		}
	}
	return v, true
}

func countByType(in *input.Input) map[string]int {
	counts := map[string]int{}
	for _, r := range in.Terraform.Resources {
		counts[r.Type]++
	}
	return counts
}

var baseCounts = map[string]int{
	"google_artifact_registry_repository":            1,
	"google_artifact_registry_repository_iam_member": 1,
	"google_compute_firewall":                        1,
	"google_compute_health_check":                    1,
	"google_compute_network":                         1,
	"google_compute_security_policy":                 1,
	"google_dns_managed_zone":                        1,
	"google_dns_record_set":                          1,
	"google_project_iam_member":                      4,
	"google_service_account":                         1,
	"google_compute_subnetwork":                      4,
	"google_container_cluster":                       2,
	"google_container_node_pool":                     2,
}

func withCount(typ string, n int) map[string]int {
	out := map[string]int{}
	for k, v := range baseCounts {
		out[k] = v
	}
	out[typ] = n
	return out
}

func TestPlanLoaderReferencePlans(t *testing.T) {
	cluster := func(role string) string { return `module.region["` + role + `"].google_container_cluster.this` }
	pool := func(role string) string { return `module.region["` + role + `"].google_container_node_pool.default` }
	tests := []struct {
		plan   string
		counts map[string]int
		check  func(t *testing.T, in *input.Input)
	}{
		{"base.json", baseCounts, func(t *testing.T, in *input.Input) {
			c := resource(t, in, cluster("primary"))
			if c.Module != `module.region["primary"]` || c.Action != "create" || c.Stack != "base" {
				t.Errorf("cluster: module %q action %q stack %q", c.Module, c.Action, c.Stack)
			}
			if v, _ := at(c.Values, "private_cluster_config", 0, "enable_private_endpoint"); v != true {
				t.Errorf("enable_private_endpoint = %v, want true", v)
			}
			if v, _ := at(c.Unknown, "endpoint"); v != true {
				t.Errorf("endpoint must be unknown, got %v", v)
			}
			if _, ok := c.Values["endpoint"]; ok {
				t.Errorf("an unknown value must not appear in values")
			}
			if v, _ := at(c.Values, "initial_node_count"); v != json.Number("1") {
				t.Errorf("numbers keep their exact text: got %#v", v)
			}
			iam := resource(t, in, `google_project_iam_member.gke_nodes["roles/logging.logWriter"]`)
			if iam.Index != "roles/logging.logWriter" || iam.Module != "" {
				t.Errorf("for_each index %v module %q", iam.Index, iam.Module)
			}
		}},
		{"base-public-endpoint-secondary.json", baseCounts, func(t *testing.T, in *input.Input) {
			v, ok := at(resource(t, in, cluster("secondary")).Values, "private_cluster_config", 0, "enable_private_endpoint")
			if ok {
				t.Errorf("secondary enable_private_endpoint = %v, want it left out (null: not set)", v)
			}
			if v, _ := at(resource(t, in, cluster("primary")).Values, "private_cluster_config", 0, "enable_private_endpoint"); v != true {
				t.Errorf("primary enable_private_endpoint = %v", v)
			}
		}},
		{"base-default-sa.json", baseCounts, func(t *testing.T, in *input.Input) {
			p := resource(t, in, pool("primary"))
			if _, ok := at(p.Values, "node_config", 0, "service_account"); ok {
				t.Errorf("service_account must be absent from values")
			}
			if v, _ := at(p.Unknown, "node_config", 0, "service_account"); v != true {
				t.Errorf("service_account must be unknown, got %v", v)
			}
			// the module argument is `cond ? null : sa.email`: no reference may claim the SA
			if refs, ok := at(p.References, "node_config", 0, "service_account"); ok {
				t.Errorf("a conditional must not be followed as a reference: %v", refs)
			}
		}},
		{"base-editor-role.json", withCount("google_project_iam_member", 5), func(t *testing.T, in *input.Input) {
			r := resource(t, in, `google_project_iam_member.gke_nodes["roles/editor"]`)
			if r.Values["role"] != "roles/editor" {
				t.Errorf("role = %v", r.Values["role"])
			}
		}},
		{"base-no-netpol.json", baseCounts, func(t *testing.T, in *input.Input) {
			for _, role := range []string{"primary", "secondary"} {
				c := resource(t, in, cluster(role))
				if c.Values["datapath_provider"] != "LEGACY_DATAPATH" {
					t.Errorf("%s datapath_provider = %v", role, c.Values["datapath_provider"])
				}
				if v, _ := at(c.Values, "network_policy", 0, "enabled"); v != false {
					t.Errorf("%s network_policy.enabled = %v", role, v)
				}
			}
		}},
		{"base-open-authorized-networks.json", baseCounts, func(t *testing.T, in *input.Input) {
			blocks, _ := at(resource(t, in, cluster("secondary")).Values, "master_authorized_networks_config", 0, "cidr_blocks")
			found := false
			for _, b := range blocks.([]any) {
				found = found || b.(map[string]any)["cidr_block"] == "0.0.0.0/0"
			}
			if !found {
				t.Errorf("0.0.0.0/0 not among %v", blocks)
			}
		}},
		{"base-legacy-abac.json", baseCounts, func(t *testing.T, in *input.Input) {
			if resource(t, in, cluster("primary")).Values["enable_legacy_abac"] != true {
				t.Errorf("enable_legacy_abac not true")
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.plan, func(t *testing.T) {
			in := load(t, Options{}, "testdata/plans/"+tt.plan)
			if got := countByType(in); !reflect.DeepEqual(got, tt.counts) {
				t.Errorf("resource counts per type:\n got %v\nwant %v", got, tt.counts)
			}
			for _, r := range in.Terraform.Resources {
				if r.Source.File != "testdata/plans/"+tt.plan {
					t.Errorf("%s: without sources a plan resource is located at the plan, got %v", r.Address, r.Source)
				}
			}
			tt.check(t, in)
		})
	}
}

// viaRegion is the module call of the base stack's regional module.
var viaRegion = []input.Call{{File: "testdata/reference/base/main.tf", Line: 53, Module: "module.region"}}

func TestPlanLocationsFromSources(t *testing.T) {
	in := load(t, Options{Sources: []string{filepath.Join(repoRoot, "testdata/reference/base")}}, "testdata/plans/base.json")
	want := map[string]input.Source{
		`module.region["secondary"].google_container_cluster.this`:       {File: "testdata/reference/base/modules/region/main.tf", Line: 45, Via: viaRegion},
		`module.region["primary"].google_container_node_pool.default`:    {File: "testdata/reference/base/modules/region/main.tf", Line: 131, Via: viaRegion},
		`google_project_iam_member.gke_nodes["roles/monitoring.viewer"]`: {File: "testdata/reference/base/main.tf", Line: 24},
		`google_dns_record_set.ingress_failover`:                         {File: "testdata/reference/base/main.tf", Line: 170},
	}
	for addr, src := range want {
		if got := resource(t, in, addr).Source; !reflect.DeepEqual(got, src) {
			t.Errorf("%s: source %v, want %v", addr, got, src)
		}
	}
	for _, r := range in.Terraform.Resources {
		if !strings.HasSuffix(r.Source.File, ".tf") || r.Source.Line == 0 {
			t.Errorf("%s not located in the sources: %v", r.Address, r.Source)
		}
	}
}

// A plan saved next to its stack's sources finds them without --source.
func TestPlanNextToSources(t *testing.T) {
	dir := t.TempDir()
	copyTree(t, filepath.Join(repoRoot, "testdata/reference/base"), dir)
	data, err := os.ReadFile(filepath.Join(repoRoot, "testdata/plans/base-legacy-abac.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "plan.json"), data, 0o644); err != nil {
		t.Fatal(err)
	}
	l, _ := New(Options{WorkDir: dir})
	for _, path := range []string{filepath.Join(dir, "plan.json"), dir} {
		in, err := l.Load(context.Background(), []string{path})
		if err != nil {
			t.Fatal(err)
		}
		r := resource(t, in, `module.region["primary"].google_container_cluster.this`)
		want := input.Source{File: "modules/region/main.tf", Line: 45, Via: []input.Call{{File: "main.tf", Line: 53, Module: "module.region"}}}
		if !reflect.DeepEqual(r.Source, want) || r.Action != "create" {
			t.Errorf("%s: %v %s", path, r.Source, r.Action)
		}
		if len(in.Terraform.Resources) != 21 {
			t.Errorf("%s: a directory holding a plan and its sources is loaded once, got %d resources", path, len(in.Terraform.Resources))
		}
	}
}

func copyTree(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestHCLLoaderFixture(t *testing.T) {
	in := load(t, Options{VarFiles: []string{filepath.Join(repoRoot, "testdata/hcl/extra.tfvars")}, Vars: []string{"zones=[\"b\",\"c\",\"d\"]"}}, "testdata/hcl/fixture")
	tests := []struct {
		address string
		path    []any
		want    any
	}{
		// locals in dependency order; *.auto.tfvars overrides the default
		{"google_compute_network.vpc", []any{"name"}, "default-project-staging-app"},
		// count from --var; built-in functions from go-cty and go-cty-funcs
		{"google_compute_subnetwork.zone[2]", []any{"name"}, "default-project-staging-app-d"},
		{"google_compute_subnetwork.zone[1]", []any{"ip_cidr_range"}, "10.0.2.16/28"},
		// a configured attribute of another resource is known
		{"google_compute_subnetwork.zone[0]", []any{"description"}, "network default-project-staging-app"},
		// for_each over a map from terraform.tfvars, optional() defaults applied
		{`google_storage_bucket.b["logs"]`, []any{"storage_class"}, "STANDARD"},
		{`google_storage_bucket.b["assets"]`, []any{"versioning", 0, "enabled"}, false},
		{`google_storage_bucket.b["logs"]`, []any{"location"}, "EUROPE-WEST1"},
		// dynamic blocks expand; nested blocks are lists
		{`google_storage_bucket.b["logs"]`, []any{"lifecycle_rule", 1, "condition", 0, "age"}, json.Number("90")},
		{`google_storage_bucket.b["assets"]`, []any{"lifecycle_rule"}, []any{}},
		// --var-file
		{"google_compute_instance.vm[1]", []any{"name"}, "vm-1"},
		{"google_compute_instance.vm[0]", []any{"metadata", "startup"}, `{"zones":["b","c","d"]}`},
		// local modules, with for_each, and a nested one with count
		{`module.storage["beta"].google_storage_bucket.this`, []any{"labels", "network"}, "default-project-staging-app"},
		{`module.storage["alpha"].module.iam[0].google_storage_bucket_iam_member.reader`, []any{"bucket"}, "default-project-staging-alpha"},
	}
	for _, tt := range tests {
		got, ok := at(resource(t, in, tt.address).Values, tt.path...)
		if !ok || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("%s %v = %#v (present %v), want %#v", tt.address, tt.path, got, ok, tt.want)
		}
	}
	unknowns := []struct {
		address string
		path    []any
		ref     string
	}{
		{"google_compute_subnetwork.zone[0]", []any{"network"}, "google_compute_network.vpc.id"},
		{"google_compute_instance.vm[0]", []any{"description"}, ""}, // a root variable nobody set
		{"google_compute_instance.vm[0]", []any{"metadata", "created"}, ""},
	}
	for _, u := range unknowns {
		r := resource(t, in, u.address)
		if v, _ := at(r.Unknown, u.path...); v != true {
			t.Errorf("%s %v: want unknown, unknown mirror %v", u.address, u.path, r.Unknown)
		}
		if _, ok := at(r.Values, u.path...); ok {
			t.Errorf("%s %v: an unknown must not appear in values", u.address, u.path)
		}
		if u.ref != "" {
			if refs, _ := at(r.References, u.path...); !reflect.DeepEqual(refs, []any{u.ref}) {
				t.Errorf("%s %v: references %v, want [%s]", u.address, u.path, refs, u.ref)
			}
		}
	}
	if v, _ := at(resource(t, in, "google_sql_user.app").Sensitive, "password"); v != true {
		t.Errorf("a sensitive variable's value must be marked sensitive")
	}
	if got := resource(t, in, `module.storage["alpha"].module.iam[0].google_storage_bucket_iam_member.reader`); got.Module != `module.storage["alpha"].module.iam[0]` || !reflect.DeepEqual(got.Source, input.Source{File: "testdata/hcl/fixture/modules/bucket/modules/iam/main.tf", Line: 9,
		Via: []input.Call{{File: "testdata/hcl/fixture/main.tf", Line: 69, Module: "module.storage"}, {File: "testdata/hcl/fixture/modules/bucket/main.tf", Line: 20, Module: "module.iam"}}}) {
		t.Errorf("nested module resource: module %q source %v", got.Module, got.Source)
	}
	if n := len(in.Terraform.Resources); n != 13 {
		t.Errorf("%d resources, want 13", n)
	}
}

// For every attribute both know, the HCL loader and the plan of the same
// stack agree.
func TestHCLMatchesPlan(t *testing.T) {
	for _, stack := range []struct {
		dir, plan  string
		minCompare int
	}{
		{"testdata/reference/base", "testdata/plans/base.json", 150},
		{"testdata/reference/app", "testdata/plans/app.json", 15},
	} {
		t.Run(stack.plan, func(t *testing.T) {
			hcl := load(t, Options{}, stack.dir)
			plan := load(t, Options{Sources: []string{filepath.Join(repoRoot, stack.dir)}}, stack.plan)
			if len(hcl.Terraform.Resources) != len(plan.Terraform.Resources) {
				t.Fatalf("HCL has %d resources, plan %d", len(hcl.Terraform.Resources), len(plan.Terraform.Resources))
			}
			compared := 0
			for _, h := range hcl.Terraform.Resources {
				p := resource(t, plan, h.Address)
				if !reflect.DeepEqual(h.Source, p.Source) {
					t.Errorf("%s: HCL source %v, plan located at %v", h.Address, h.Source, p.Source)
				}
				for _, diff := range knownDiffs(h.Values, h.Unknown, p.Values, h.Address, &compared) {
					t.Error(diff)
				}
				// references the plan's configuration gives are the ones HCL evaluation found
				for attr, refs := range p.References {
					if !reflect.DeepEqual(refs, h.References[attr]) {
						t.Errorf("%s.%s: plan references %v, HCL %v", h.Address, attr, refs, h.References[attr])
					}
				}
			}
			if compared < stack.minCompare {
				t.Errorf("only %d leaves compared", compared)
			}
			if len(hcl.Kubernetes.Objects) != len(plan.Kubernetes.Objects) {
				t.Errorf("rendered objects: HCL %d, plan %d", len(hcl.Kubernetes.Objects), len(plan.Kubernetes.Objects))
			}
			for i := range hcl.Kubernetes.Objects {
				if i < len(plan.Kubernetes.Objects) && !reflect.DeepEqual(hcl.Kubernetes.Objects[i], plan.Kubernetes.Objects[i]) {
					t.Errorf("rendered object %s differs between HCL and plan", hcl.Kubernetes.Objects[i].ID)
				}
			}
		})
	}
}

// knownDiffs compares every leaf of h that HCL knows (its unknown mirror u is
// not true there) with the same path in p. Lists compare in order, or as sets
// when the order differs (set-typed blocks).
func knownDiffs(h, u, p any, path string, compared *int) []string {
	if u == true {
		return nil
	}
	switch hv := h.(type) {
	case map[string]any:
		pm, ok := p.(map[string]any)
		if !ok {
			return []string{path + ": object in HCL, " + describe(p) + " in plan"}
		}
		um, _ := u.(map[string]any)
		var diffs []string
		for k, v := range hv {
			pv, ok := pm[k]
			if !ok {
				continue // known only to HCL: the plan marks it unknown
			}
			diffs = append(diffs, knownDiffs(v, um[k], pv, path+"."+k, compared)...)
		}
		return diffs
	case []any:
		pl, ok := p.([]any)
		if !ok || len(pl) != len(hv) {
			return []string{path + ": list in HCL, " + describe(p) + " in plan"}
		}
		ul, _ := u.([]any)
		elemUnknown := func(i int) any {
			if i < len(ul) {
				return ul[i]
			}
			return nil
		}
		var diffs []string
		for i := range hv {
			diffs = append(diffs, knownDiffs(hv[i], elemUnknown(i), pl[i], path+"["+itoa(i)+"]", compared)...)
		}
		if len(diffs) == 0 {
			return nil
		}
		matched := 0
		for i, e := range hv { // as a set
			n := 0
			for _, q := range pl {
				if len(knownDiffs(e, elemUnknown(i), q, path, &n)) == 0 {
					matched++
					break
				}
			}
		}
		if matched == len(hv) {
			return nil
		}
		return diffs
	default:
		*compared++
		if !reflect.DeepEqual(h, p) {
			return []string{path + ": HCL " + describe(h) + ", plan " + describe(p)}
		}
		return nil
	}
}

func describe(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func itoa(i int) string { b, _ := json.Marshal(i); return string(b) }

func TestChartLoader(t *testing.T) {
	in := load(t, Options{}, "testdata/reference/app/charts/app")
	if len(in.Kubernetes.Objects) != 5 {
		t.Fatalf("default values (autoscaling off) render 5 objects, got %d", len(in.Kubernetes.Objects))
	}
	values := filepath.Join(t.TempDir(), "values.yaml")
	os.WriteFile(values, []byte("image:\n  tag: \"2.0\"\nautoscaling:\n  enabled: true\n"), 0o644)
	in = load(t, Options{Values: []string{values}}, "testdata/reference/app/charts/app")
	want := map[string]input.Source{
		"testdata/reference/app/charts/app:Deployment/app/app":                 {File: "testdata/reference/app/charts/app/templates/deployment.yaml", Line: 2},
		"testdata/reference/app/charts/app:HorizontalPodAutoscaler/app/app":    {File: "testdata/reference/app/charts/app/templates/hpa.yaml", Line: 3},
		"testdata/reference/app/charts/app:Service/app/app":                    {File: "testdata/reference/app/charts/app/templates/service.yaml", Line: 2},
		"testdata/reference/app/charts/app:ServiceAccount/app/app":             {File: "testdata/reference/app/charts/app/templates/service.yaml", Line: 15},
		"testdata/reference/app/charts/app:Namespace/app":                      {File: "testdata/reference/app/charts/app/templates/namespace.yaml", Line: 2},
		"testdata/reference/app/charts/app:NetworkPolicy/app/default-deny-all": {File: "testdata/reference/app/charts/app/templates/networkpolicy.yaml", Line: 2},
	}
	if len(in.Kubernetes.Objects) != len(want) {
		t.Fatalf("got %d objects, want %d", len(in.Kubernetes.Objects), len(want))
	}
	for _, o := range in.Kubernetes.Objects {
		if src, ok := want[o.ID]; !ok || !reflect.DeepEqual(src, o.Source) {
			t.Errorf("%s at %v, want %v", o.ID, o.Source, src)
		}
	}
	dep := in.Kubernetes.Objects[0]
	if dep.Kind() != "Deployment" {
		t.Fatalf("first object %s", dep.ID)
	}
	if img, _ := at(dep.Object, "spec", "template", "spec", "containers", 0, "image"); img != "europe-docker.pkg.dev/acme-platform-prod/prod-images/app:2.0" {
		t.Errorf("--values not applied: image %v", img)
	}
	if _, err := loadErr(Options{Values: []string{filepath.Join(repoRoot, "testdata/bad/missing-values.yaml")}}, "testdata/reference/app/charts/app"); err == nil || !strings.Contains(err.Error(), "missing-values.yaml") {
		t.Errorf("a missing values file must be named: %v", err)
	}
}

func TestReleasesRenderPerRegion(t *testing.T) {
	in := load(t, Options{}, "testdata/reference/app")
	replicas := map[string]any{}
	for _, o := range in.Kubernetes.Objects {
		wantNamespace := "platform-app" // the release namespace, filled in like helm install does
		if o.Kind() == "Namespace" {
			wantNamespace = "" // cluster-scoped
		}
		if o.Release == nil || o.Release.Namespace != "platform-app" || o.Namespace() != wantNamespace {
			t.Errorf("%s: release %+v, namespace %q", o.ID, o.Release, o.Namespace())
		}
		if o.Kind() == "HorizontalPodAutoscaler" {
			replicas[o.Release.Region], _ = at(o.Object, "spec", "minReplicas")
		}
		if o.Kind() == "Service" {
			if port, _ := at(o.Object, "spec", "ports", 0, "port"); port != int64(80) {
				t.Errorf("%s: set service.port=80 not applied: %v", o.ID, port)
			}
		}
	}
	if !reflect.DeepEqual(replicas, map[string]any{"primary": int64(3), "secondary": int64(1)}) {
		t.Errorf("each region renders with its own values: minReplicas %v", replicas)
	}
}

func TestManifests(t *testing.T) {
	in := load(t, Options{}, "testdata/manifests/multi.yaml")
	var got []string
	for _, o := range in.Kubernetes.Objects {
		got = append(got, o.ID+"@"+itoa(o.Source.Line))
	}
	// sorted by ID; a List's items carry the List's line
	want := []string{"ConfigMap/team-a/settings@22", "Deployment/team-a/web@6", "Namespace/team-a@1", "Pod/team-a/debug@32", "Service/team-a/web@41"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("objects:\n got %v\nwant %v", got, want)
	}
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		path string
		want string
	}{
		{"testdata/bad/malformed-plan.json", "testdata/bad/malformed-plan.json:4: malformed JSON"},
		{"testdata/bad/malformed.yaml", "testdata/bad/malformed.yaml:4: malformed YAML"},
		{"testdata/bad/not-kubernetes.yaml", "testdata/bad/not-kubernetes.yaml:1: not a Kubernetes object"},
		{"testdata/hcl/broken", "testdata/hcl/broken/main.tf:3:"},
		{"testdata/bad/does-not-exist.json", "testdata/bad/does-not-exist.json: no such file or directory"},
		{"testdata/bad/unsupported.txt", "testdata/bad/unsupported.txt: not a plan JSON"},
		{"testdata/bad/missing-chart", "chart ./charts/nope not found"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			_, err := loadErr(Options{}, tt.path)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want it to contain %q", err, tt.want)
			}
			// Each input that cannot be read is one *Error; the load reports
			// them all together.
			inc, ok := err.(*Incomplete)
			if !ok || len(inc.Errs) != 1 {
				t.Fatalf("error %T %v, want one input's error", err, err)
			}
			if _, ok := inc.Errs[0].(*Error); !ok {
				t.Errorf("error type %T, want *loader.Error", inc.Errs[0])
			}
		})
	}
}

func TestDeterministic(t *testing.T) {
	paths := []string{"testdata/reference", "testdata/plans/base.json", "testdata/manifests"}
	first, _ := json.Marshal(load(t, Options{}, paths...))
	for i := 0; i < 3; i++ {
		again, _ := json.Marshal(load(t, Options{}, paths...))
		if string(again) != string(first) {
			t.Fatal("two loads of the same inputs differ")
		}
	}
}

// Evidence names every file that went into the input: the stack's
// configuration and variables, what file() read (the release's values),
// and the chart Helm loaded; not a file the walk passed by (a README).
func TestEvidenceNamesEveryFileRead(t *testing.T) {
	files := &evidence.Files{}
	load(t, Options{Evidence: files}, "stacks/app")
	got, err := files.Digests()
	if err != nil {
		t.Fatal(err)
	}
	read := map[string]bool{}
	for _, f := range got {
		read[f.Path] = true
	}
	for _, want := range []string{"stacks/app/main.tf", "stacks/app/variables.tf", "charts/app/values-primary.yaml",
		"charts/app/Chart.yaml", "charts/app/values.yaml", "charts/app/templates/deployment.yaml"} {
		if !read[want] {
			t.Errorf("evidence lacks %s (has %v)", want, got)
		}
	}
	if read["stacks/app/README.md"] {
		t.Error("evidence names stacks/app/README.md, which guard does not read")
	}
}
