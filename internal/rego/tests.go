package rego

import (
	"context"

	"github.com/acme/guard/internal/parameters"
	"github.com/acme/guard/internal/policydir"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/tester"
)

// RunTests runs the Rego unit tests (test_ rules in *_test.rego files) under
// dirs with OPA's own test runner, against the policies beside them.
func RunTests(ctx context.Context, dirs []string) ([]*tester.Result, error) {
	modules, err := ParseDirs(policydir.OnDisk(dirs...), true)
	if err != nil {
		return nil, err
	}
	// The tests run with the default parameters of the policy chart that
	// holds them (a test of another value says so: with data.guard.parameters...).
	params, err := parameters.Defaults(dirs)
	if err != nil {
		return nil, err
	}
	store, err := loadData(nil, params)
	if err != nil {
		return nil, err
	}
	compiler := ast.NewCompiler().WithEnablePrintStatements(true).WithCapabilities(Capabilities())
	ch, err := tester.NewRunner().SetCompiler(compiler).SetStore(store).SetModules(modules).RunTests(ctx, nil)
	if err != nil {
		return nil, &Error{Msg: err.Error()}
	}
	var results []*tester.Result
	for r := range ch {
		results = append(results, r)
	}
	if compiler.Failed() {
		return nil, &Error{Msg: formatErrors(compiler.Errors)}
	}
	return results, nil
}
