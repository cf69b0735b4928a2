package parameters

import (
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"

	"github.com/acme/guard/internal/policydir"
)

var library = func() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "policies")
}()

func load(t *testing.T, in Input) *Set {
	t.Helper()
	s, err := Load(policydir.OnDisk(library), in)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rendered are the chart's policies by file (relative to the library), each
// decoded.
func rendered(t *testing.T, s *Set) map[string]map[string]any {
	t.Helper()
	docs, err := s.Render(policydir.OnDisk(library)[0])
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]map[string]any{}
	for _, d := range docs {
		var m map[string]any
		if err := yaml.Unmarshal(d.Data, &m); err != nil {
			t.Fatalf("%s: %v", d.File, err)
		}
		rel := strings.TrimPrefix(d.File, library+"/")
		if _, dup := out[rel]; dup {
			t.Fatalf("%s rendered twice", rel)
		}
		if d.Line < 2 {
			t.Errorf("%s: line %d, want its kind's", rel, d.Line)
		}
		out[rel] = m
	}
	return out
}

// With the default values, the chart installs every policy of the default
// set exactly as its file is written: `kyverno test` and guard's suites
// test what the cluster enforces, and values.yaml's defaults are the ones
// the files carry.
func TestDefaultsAreTheFiles(t *testing.T) {
	got := rendered(t, load(t, Input{Profiles: []string{"two-region-gke"}}))
	files, err := filepath.Glob(filepath.Join(library, "kyverno", "*", "policy.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no policies: %v", err)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(library, f)
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var want map[string]any
		if err := yaml.Unmarshal(data, &want); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got[filepath.ToSlash(rel)], want) {
			t.Errorf("%s: rendered with the default values, it differs from the file (a default in values.yaml differs from the file's?)", rel)
		}
	}
	if len(got) != len(files) {
		t.Errorf("rendered %d policies, want %d", len(got), len(files))
	}
}

// A policy of a profile is installed only with its profile.
func TestProfiles(t *testing.T) {
	without := rendered(t, load(t, Input{}))
	with := rendered(t, load(t, Input{Profiles: []string{"two-region-gke"}}))
	const gateway = "kyverno/services-behind-gateway/policy.yaml"
	if _, ok := without[gateway]; ok {
		t.Errorf("%s rendered without its profile", gateway)
	}
	if _, ok := with[gateway]; !ok {
		t.Errorf("%s not rendered with its profile", gateway)
	}
	if len(with) <= len(without) {
		t.Errorf("%d policies with the profile, %d without", len(with), len(without))
	}
	// A profile enabled by the parameters file counts as one in .guard.yaml.
	if s := load(t, Input{Values: map[string]any{"profiles": []any{"two-region-gke"}}}); !s.Enabled("two-region-gke") || s.Enabled("other") || !s.Enabled("") {
		t.Errorf("profiles %v", s.Profiles())
	}
}

// Every parameter a policy names takes effect in it: a value other than the
// default changes the policy the chart installs. (A misspelt name in an
// annotation, or a variable the chart does not fill, fails here.)
func TestEveryParameterTakesEffect(t *testing.T) {
	others := map[string]any{
		"trustedRegistries":         []any{"registry.example/team/"},
		"systemNamespaces":          []any{"kube-system"},
		"allowedVolumeTypes":        []any{},
		"serviceAccountTokens":      "none",
		"statelessNamespaces":       []any{"app"},
		"trustPrivateSources":       false,
		"podSecurityLevel":          "baseline",
		"requiredLoggingComponents": []any{"APISERVER"},
	}
	base := load(t, Input{Profiles: []string{"two-region-gke"}})
	for name := range base.defaults {
		if _, ok := others[name]; !ok {
			t.Errorf("parameter %s: no other value to try here", name)
		}
	}
	defaults := rendered(t, base)
	for name, value := range others {
		changed := rendered(t, load(t, Input{Values: map[string]any{name: value}, Profiles: []string{"two-region-gke"}}))
		for file, policy := range defaults {
			meta := policy["metadata"].(map[string]any)
			ann, _ := meta["annotations"].(map[string]any)
			names, _ := ann["guard.acme.example/parameters"].(string)
			reads := false
			for _, n := range strings.Split(names, ",") {
				reads = reads || strings.TrimSpace(n) == name
			}
			if differs := !reflect.DeepEqual(changed[file], policy); differs != reads {
				t.Errorf("%s: parameter %s: changed the policy %t, names it %t", file, name, differs, reads)
			}
		}
	}
}

func TestBadParameters(t *testing.T) {
	for _, tt := range []struct {
		values map[string]any
		want   string
	}{
		{map[string]any{"trustedRegistry": []any{"x/"}}, "guard.yaml: unknown parameter trustedRegistry (parameters: allowedVolumeTypes, "},
		{map[string]any{"trustedRegistries": "x/"}, "guard.yaml: "},
		{map[string]any{"serviceAccountTokens": "some"}, "serviceAccountTokens"},
	} {
		_, err := Load(policydir.OnDisk(library), Input{Values: tt.values, File: ".guard.yaml"})
		if err == nil || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line with %q", tt.values, err, tt.want)
		}
	}
	// Without a policy chart (a --policy directory of one's own) the
	// parameters a .guard.yaml names for the library apply to nothing.
	s, err := Load(policydir.OnDisk(t.TempDir()), Input{Values: map[string]any{"x": 1}, File: "p.yaml", Profiles: []string{"two-region-gke"}})
	if err != nil || s.HasCharts() || len(s.Values()) != 0 {
		t.Errorf("without a chart: %v, %v", s.Values(), err)
	}
}

// The tests of a policy deep in the library run with its chart's defaults.
func TestDefaultsAbove(t *testing.T) {
	s, err := Defaults([]string{filepath.Join(library, "rego", "terraform")})
	if err != nil {
		t.Fatal(err)
	}
	if got := s.Values()["serviceAccountTokens"]; got != "dedicated" {
		t.Errorf("serviceAccountTokens %v", got)
	}
}
