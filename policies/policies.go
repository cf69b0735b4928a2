// Package policies embeds guard's policy library (Rego and Kyverno, with
// their tests) so that the binary carries it: `guard check` uses it when no
// --policy is given, in any repository.
package policies

import "embed"

// Library is the rego and kyverno directories as they were at build time,
// and the chart (guard-policies) that installs the Kyverno policies with
// the library's parameters (values.yaml).
//
//go:embed rego kyverno Chart.yaml values.yaml values.schema.json templates
var Library embed.FS
