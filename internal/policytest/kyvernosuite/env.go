package kyvernosuite

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	authv3 "github.com/envoyproxy/go-control-plane/envoy/service/auth/v3"
	policiesv1beta1 "github.com/kyverno/api/api/policies.kyverno.io/v1beta1"
	authzhttp "github.com/kyverno/kyverno-authz/pkg/cel/libs/authz/http"
	kyvernov2 "github.com/kyverno/kyverno/api/kyverno/v2"
	clitest "github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/apis/v1alpha1"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/payload"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/processor"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/store"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/userinfo"
	"github.com/kyverno/kyverno/cmd/cli/kubectl-kyverno/variables"
	"github.com/kyverno/kyverno/ext/cluster"
	celengine "github.com/kyverno/kyverno/pkg/cel/engine"
	"github.com/kyverno/kyverno/pkg/cel/libs"
	"github.com/kyverno/kyverno/pkg/cel/matching"
	vpolengine "github.com/kyverno/kyverno/pkg/cel/policies/vpol/engine"
	"github.com/kyverno/kyverno/pkg/clients/dclient"
	engineapi "github.com/kyverno/kyverno/pkg/engine/api"
	authenticationv1 "k8s.io/api/authentication/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/yaml"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/kyverno"
)

// suiteEnv is what a suite sets around its resources, read with the Kyverno
// CLI's own packages: its variable values (global, per policy and resource,
// per rule), the user making the requests, and the parameter resources of
// its ValidatingAdmissionPolicies.
type suiteEnv struct {
	vars   *variables.Variables
	store  *store.Store
	user   *kyvernov2.RequestInfo
	params []runtime.Object
	// cluster is set when the suite mocks what policies read from a cluster
	// or the network (context, clusterResources, apiCallResponses,
	// globalContextEntries): every policy then goes through the Kyverno
	// CLI's processor, set up as kyverno test sets it up.
	cluster *mockedCluster
}

type mockedCluster struct {
	client      dclient.Interface
	restMapper  meta.RESTMapper
	cmResolver  engineapi.ConfigmapResolver
	contextPath string
	gce         map[string]any
	live        bool // clusterResources given: the processor runs as against a cluster
}

func newSuiteEnv(dir string, s *clitest.Test, vals *clitest.ValuesSpec, objects []input.Object) (*suiteEnv, error) {
	vars, err := variables.New(io.Discard, nil, dir, "", vals)
	if err != nil {
		return nil, &diag.Error{File: dir, Msg: err.Error()}
	}
	env := &suiteEnv{vars: vars, store: &store.Store{}}
	env.store.SetLocal(true)
	vars.SetInStore(env.store)
	if s.UserInfo != "" {
		path := filepath.Join(dir, s.UserInfo)
		if _, err := readFile(path); err != nil {
			return nil, err
		}
		info, err := userinfo.Load(nil, s.UserInfo, dir)
		if err != nil {
			return nil, &diag.Error{File: path, Msg: fmt.Sprintf("not Kyverno user info: %v", diag.OneLine(err.Error()))}
		}
		env.user = &info.RequestInfo
	}
	for _, f := range s.ParamResources {
		docs, err := decodeFile(filepath.Join(dir, f))
		if err != nil {
			return nil, err
		}
		for _, o := range docs {
			env.params = append(env.params, &unstructured.Unstructured{Object: o.Object})
		}
	}
	if s.Context != "" || len(s.ClusterResources)+len(s.APICallResponses)+len(s.GlobalContextEntries) > 0 {
		c, err := newMockedCluster(dir, s, env, objects)
		var de *diag.Error
		if err != nil && !errors.As(err, &de) { // a file's own error already names it
			err = &diag.Error{File: dir, Msg: diag.OneLine(err.Error())}
		}
		if err != nil {
			return nil, err
		}
		env.cluster = c
	}
	return env, nil
}

// newMockedCluster sets up the fake cluster, mocked API calls and global
// context a suite declares, as kyverno test's runTest does: the cluster holds
// the suite's resources (as suiteResources read them), its parameter and
// cluster resources and CRDs.
func newMockedCluster(dir string, s *clitest.Test, env *suiteEnv, resources []input.Object) (*mockedCluster, error) {
	c := &mockedCluster{live: len(s.ClusterResources) > 0}
	if s.Context != "" {
		c.contextPath = filepath.Join(dir, s.Context)
		if _, err := readFile(c.contextPath); err != nil { // a regular file, not a FIFO the processor would wait on
			return nil, err
		}
	}
	objects := append([]runtime.Object{}, env.params...)
	for _, o := range resources {
		objects = append(objects, &unstructured.Unstructured{Object: runtime.DeepCopyJSON(o.Object)})
	}
	fake := cluster.NewFake()
	var crds []*apiextensionsv1.CustomResourceDefinition
	for _, f := range s.ClusterResources {
		var src clitest.ClusterResource
		if err := readYAMLStrict(filepath.Join(dir, f), &src); err != nil {
			return nil, err
		}
		for _, crdFile := range src.Spec.CRDs {
			var crd apiextensionsv1.CustomResourceDefinition
			if err := readYAMLStrict(filepath.Join(dir, crdFile), &crd); err != nil {
				return nil, err
			}
			crds = append(crds, &crd)
		}
		for _, r := range src.Spec.Resources {
			objects = append(objects, r)
		}
	}
	if c.live {
		c.restMapper = fake.RESTMapper(crds)
		for _, crd := range crds {
			objects = append(objects, crd)
		}
	}
	client, err := fake.DClient(objects)
	if err != nil {
		return nil, err
	}
	c.client = client
	if c.live {
		if c.cmResolver, err = cluster.NewConfigMapResolver(client); err != nil {
			return nil, err
		}
	}
	if err := clitest.ValidateAPICallResponses(s.APICallResponses); err != nil {
		return nil, err
	}
	if err := clitest.ValidateGlobalContextEntries(s.GlobalContextEntries); err != nil {
		return nil, err
	}
	entries, err := store.ResolveGCEResourceFiles(nil, dir, s.GlobalContextEntries)
	if err != nil {
		return nil, err
	}
	env.store.AllowApiCall(c.live)
	env.store.SetAPICallResponses(s.APICallResponses)
	env.store.SetGlobalContextEntries(entries)
	index, err := httpMockIndex(s.APICallResponses)
	if err != nil {
		return nil, err
	}
	env.store.SetHTTPMockIndex(index)
	if len(entries) > 0 {
		c.gce = map[string]any{}
		for _, entry := range entries {
			data, err := store.ResolveGlobalContextMockData(entry)
			if err != nil {
				return nil, err
			}
			c.gce[entry.Name] = data
		}
	}
	return c, nil
}

// httpMockIndex is kyverno test's index of mocked HTTP responses for CEL's
// http library: "METHOD:url" (or the URL alone) to {body, statusCode}.
func httpMockIndex(mocks []clitest.APICallResponseEntry) (map[string]any, error) {
	if len(mocks) == 0 {
		return nil, nil
	}
	index := make(map[string]any, len(mocks))
	for _, m := range mocks {
		body, err := clitest.RawExtensionToObject(m.Response.Body)
		if err != nil {
			return nil, fmt.Errorf("apiCallResponses %q: invalid body: %w", m.ResolvedURL(), err)
		}
		status := m.Response.StatusCode
		if status == 0 {
			status = 200
		}
		key := m.ResolvedURL()
		if method := strings.ToUpper(strings.TrimSpace(m.Method)); method != "" {
			key = method + ":" + key
		}
		index[key] = map[string]any{"body": body, "statusCode": status}
	}
	return index, nil
}

func readYAMLStrict(path string, into any) error {
	data, err := readFile(path)
	if err != nil {
		return err
	}
	if err := yaml.UnmarshalStrict(data, into); err != nil {
		return &diag.Error{File: path, Msg: diag.OneLine(err.Error())}
	}
	return nil
}

// suiteOperations are the evaluations a suite needs: "" (its default
// operation) and each operation one of its results names.
func suiteOperations(s *clitest.Test) []string {
	ops := []string{""}
	seen := map[string]bool{"": true}
	for _, r := range s.Results {
		if !seen[r.Operation] {
			seen[r.Operation] = true
			ops = append(ops, r.Operation)
		}
	}
	return ops
}

// suiteResponses evaluates every policy of a suite on its objects as
// operation op ("": the values' request.operation, else CREATE): the
// ValidatingPolicies with guard's compiled engine, the legacy policies and
// ValidatingAdmissionPolicies with the Kyverno CLI's policy processor, the
// code `kyverno test` runs (variables, user info, operations and
// subresources as it applies them).
func suiteResponses(c kyverno.Compiled, ctx context.Context, objects []input.Object, op string, env *suiteEnv) (map[string]map[string]*Response, error) {
	if op == "" {
		if global, err := processor.NormalizeOperation(env.vars.GlobalOperation()); err == nil {
			op = global
		}
	}
	out := map[string]map[string]*Response{}
	eng := vpolengine.NewEngine(c.Provider, env.vars.Namespace, matching.NewMatcher())
	var user authenticationv1.UserInfo
	if env.user != nil {
		user = env.user.AdmissionUserInfo
	}
	for _, o := range objects {
		// the object as suiteResources read it: namespaced or not as the CLI decides
		u := &unstructured.Unstructured{Object: runtime.DeepCopyJSON(o.Object)}
		out[o.ID] = map[string]*Response{}
		if env.cluster == nil {
			gvk := u.GroupVersionKind()
			gvr, _ := meta.UnsafeGuessKindToResource(gvk)
			operation, object, oldObject := processor.AdmissionRequestShape(op, u)
			req := celengine.Request(libs.NewFakeContextProvider(), gvk, gvr, "", u.GetName(), u.GetNamespace(),
				operation, user, object, oldObject, false, nil)
			resp, err := eng.Handle(ctx, req, nil)
			if err != nil {
				return nil, fmt.Errorf("%s: Kyverno: %w", o.ID, err)
			}
			out[o.ID] = celResponses(resp)
			if len(c.Legacy) == 0 && len(c.VAPs) == 0 {
				continue
			}
		}
		pp := processor.PolicyProcessor{
			Store: env.store, ValidatingAdmissionPolicies: c.VAPs, ValidatingAdmissionPolicyBindings: c.VAPBindings,
			Resource: *u, Operation: op, Variables: env.vars, ParameterResources: env.params, UserInfo: env.user,
			NamespaceSelectorMap: env.vars.NamespaceSelectors(), Subresources: env.vars.Subresources(),
			Rc: &processor.ResultCounts{}, Out: io.Discard,
		}
		pp.Policies, pp.PolicyExceptions = c.Legacy, c.LegacyExceptions
		if mc := env.cluster; mc != nil {
			pp.ValidatingPolicies, pp.CELExceptions = c.ValidatingPolicies, c.CELExceptions
			pp.Client, pp.RESTMapper, pp.ConfigMapResolver, pp.Cluster = mc.client, mc.restMapper, mc.cmResolver, mc.live
			pp.ContextPath, pp.GlobalContextEntries = mc.contextPath, mc.gce
		}
		resps, err := pp.ApplyPoliciesOnResource()
		if err != nil {
			return nil, fmt.Errorf("%s: Kyverno: %s", o.ID, diag.OneLine(err.Error()))
		}
		for _, r := range resps {
			pol := r.Policy()
			name, ruleless := pol.GetName(), true
			if lp := pol.AsKyvernoPolicy(); lp != nil {
				name, ruleless = kyverno.LegacyName(lp), false
			}
			addResponse(out[o.ID], name, pol, r.PolicyResponse.Rules, ruleless)
		}
	}
	return out, nil
}

// payloadResponses evaluates a suite's JSON, HTTP and Envoy payloads with the
// Kyverno CLI's processors, as kyverno test does, and records the responses
// in byKey under each payload's name (the JSON payload's name as the suite
// writes it, an HTTP or Envoy payload's path), and returns those names.
func payloadResponses(c kyverno.Compiled, dir string, s *clitest.Test, env *suiteEnv, byKey map[string]map[string]*Response) ([]string, error) {
	var out []string
	record := func(key string, resps []engineapi.EngineResponse) {
		if byKey[key] == nil {
			byKey[key] = map[string]*Response{}
			out = append(out, key)
		}
		for _, r := range resps {
			addResponse(byKey[key], r.Policy().GetName(), r.Policy(), r.PolicyResponse.Rules, true)
		}
	}
	var json []policiesv1beta1.ValidatingPolicyLike
	var http, envoy []*policiesv1beta1.ValidatingPolicy
	for _, p := range c.PayloadPolicies {
		switch p.Spec.EvaluationMode() {
		case "HTTP":
			http = append(http, p)
		case "Envoy":
			envoy = append(envoy, p)
		default:
			json = append(json, p)
		}
	}
	for _, name := range s.JSONPayloads {
		path := filepath.Join(dir, name)
		if _, err := readFile(path); err != nil {
			return nil, err
		}
		data, err := payload.Load(path)
		if err != nil {
			return nil, &diag.Error{File: path, Msg: diag.OneLine(err.Error())}
		}
		m, ok := data.(map[string]any)
		if !ok {
			return nil, &diag.Error{File: path, Msg: "a JSON payload must be an object"}
		}
		pp := processor.PolicyProcessor{
			Store: env.store, ValidatingPolicies: append(append([]policiesv1beta1.ValidatingPolicyLike{}, c.ValidatingPolicies...), json...),
			CELExceptions: c.CELExceptions, JsonPayload: unstructured.Unstructured{Object: m}, Variables: env.vars,
			UserInfo: env.user, NamespaceSelectorMap: env.vars.NamespaceSelectors(), Rc: &processor.ResultCounts{}, Out: io.Discard,
		}
		resps, err := pp.ApplyPoliciesOnResource()
		if err != nil {
			return nil, &diag.Error{File: path, Msg: fmt.Sprintf("Kyverno: %v", diag.OneLine(err.Error()))}
		}
		record(name, resps)
	}
	authz := processor.NewAuthzProcessor(&processor.ResultCounts{}, nil, http, envoy)
	for _, name := range s.HTTPPayloads {
		resps, err := authzPayload(filepath.Join(dir, name), processor.LoadHTTPRequests, func(r *authzhttp.CheckRequest) ([]engineapi.EngineResponse, error) {
			return authz.ApplyHTTPPolicies([]*authzhttp.CheckRequest{r})
		})
		if err != nil {
			return nil, err
		}
		record(filepath.Join(dir, name), resps)
	}
	for _, name := range s.EnvoyPayloads {
		resps, err := authzPayload(filepath.Join(dir, name), processor.LoadEnvoyRequests, func(r *authv3.CheckRequest) ([]engineapi.EngineResponse, error) {
			return authz.ApplyEnvoyPolicies([]*authv3.CheckRequest{r})
		})
		if err != nil {
			return nil, err
		}
		record(filepath.Join(dir, name), resps)
	}
	return out, nil
}

// authzPayload reads an HTTP or Envoy request (a regular file within the
// limits) with the Kyverno CLI's loader and applies the policies to it.
func authzPayload[R any](path string, load func(string) (R, error), apply func(R) ([]engineapi.EngineResponse, error)) ([]engineapi.EngineResponse, error) {
	if _, err := readFile(path); err != nil {
		return nil, err
	}
	req, err := load(path)
	if err != nil {
		return nil, &diag.Error{File: path, Msg: diag.OneLine(err.Error())}
	}
	resps, err := apply(req)
	if err != nil {
		return nil, &diag.Error{File: path, Msg: fmt.Sprintf("Kyverno: %v", diag.OneLine(err.Error()))}
	}
	return resps, nil
}
