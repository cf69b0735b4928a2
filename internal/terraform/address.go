package terraform

import (
	"strings"

	tfjson "github.com/hashicorp/terraform-json"
)

// ConfigAddress is a resource's address in configuration: module instance
// keys dropped, so every instance maps to the one block that declares it.
func ConfigAddress(module, mode, typ, name string) string {
	addr := typ + "." + name
	if mode == string(tfjson.DataResourceMode) {
		addr = "data." + addr
	}
	return joinAddr(strings.Join(moduleCallPath(module), "."), addr)
}

// moduleCallPath splits `module.a["x"].module.b[0]` into ["module.a", "module.b"].
func moduleCallPath(module string) []string {
	fields := strings.Split(stripIndexes(module), ".")
	var parts []string
	for i := 0; i+1 < len(fields); i += 2 {
		parts = append(parts, fields[i]+"."+fields[i+1])
	}
	return parts
}

func joinAddr(a, b string) string {
	if a == "" {
		return b
	}
	return a + "." + b
}
