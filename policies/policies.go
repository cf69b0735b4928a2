// Package policies embeds guard's policy library (Rego and Kyverno, with
// their tests) so that the binary carries it: `guard check` uses it when no
// --policy is given, in any repository.
package policies

import "embed"

// Library is the rego and kyverno directories as they were at build time.
//
//go:embed rego kyverno
var Library embed.FS
