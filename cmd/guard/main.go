// Command guard checks Terraform plans, Terraform HCL, Helm charts and
// Kubernetes manifests against Rego and Kyverno policies.
//
// Exit codes: 0 no failing finding, 1 failing findings, 2 guard could not do
// its job (unreadable input, broken policy, bad flag).
package main

import (
	"errors"
	"fmt"
	"os"
)

// exitError carries an exit code out of a command.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func main() {
	cmd := newRootCmd()
	err := cmd.Execute()
	var ee exitError
	switch {
	case err == nil:
		os.Exit(0)
	case errors.As(err, &ee):
		os.Exit(ee.code)
	default:
		fmt.Fprintf(os.Stderr, "guard: %v\n", err)
		os.Exit(2)
	}
}
