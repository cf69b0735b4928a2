// Package providerschema answers what Terraform's providers say about a
// resource type: its attributes with their types, which of them the
// provider computes, and which names are nested blocks. The schemas of the
// providers GKE teams use (google, google-beta, kubernetes, helm, random,
// null, time, tls: `tofu providers schema -json` of the versions in
// docs) are built in, one archive entry per type, read only when a check
// meets that type; a user's own (`terraform providers schema -json` in
// their repository) win for their providers.
package providerschema

import (
	"archive/zip"
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"

	tfjson "github.com/hashicorp/terraform-json"
)

//go:generate go run ../../cmd/gen-provider-schemas ../../../shared/provider-schemas schemas.zip

//go:embed schemas.zip
var builtinZip []byte

// Schemas are the provider schemas of one run; safe for concurrent use.
type Schemas struct {
	user map[string]*tfjson.ProviderSchema // by local name
}

// builtin is the archive built into guard, indexed on first use and shared
// by every Schemas of the process (a run, a fuzz target's every input), with
// the entries decoded so far (nil where an entry is missing).
var builtin = struct {
	index   func() (*zip.Reader, error)
	mu      sync.Mutex
	decoded map[string]*tfjson.SchemaBlock
}{
	index: sync.OnceValues(func() (*zip.Reader, error) {
		return zip.NewReader(bytes.NewReader(builtinZip), int64(len(builtinZip)))
	}),
	decoded: map[string]*tfjson.SchemaBlock{},
}

// LocalName is the name a configuration knows a provider by, from its
// source address: "registry.terraform.io/hashicorp/google-beta" -> "google-beta".
// OpenTofu's and Terraform's registries name the same providers.
func LocalName(addr string) string {
	return addr[strings.LastIndex(addr, "/")+1:]
}

// New reads the user's schema files (the output of `terraform providers
// schema -json`); their providers' types are looked up there alone.
func New(files []string) (*Schemas, error) {
	s := &Schemas{user: map[string]*tfjson.ProviderSchema{}}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("--provider-schema %s: %w", f, err)
		}
		var ps tfjson.ProviderSchemas
		if err := json.Unmarshal(data, &ps); err != nil {
			return nil, fmt.Errorf("%s: not the output of `terraform providers schema -json`: %v", f, err)
		}
		if err := ps.Validate(); err != nil {
			return nil, fmt.Errorf("%s: %v", f, err)
		}
		for addr, p := range ps.Schemas {
			s.user[LocalName(addr)] = p
		}
	}
	return s, nil
}

// Lookup is the schema of a resource type (data: a data source) of the
// provider named provider in the configuration. user says the schema is
// the user's own, so an argument it does not know is an error there; in a
// built-in schema it may be a version difference. nil: no schema knows it.
func (s *Schemas) Lookup(provider, typ string, data bool) (block *tfjson.SchemaBlock, user bool) {
	if s == nil {
		return nil, false
	}
	if p, ok := s.user[provider]; ok {
		list := p.ResourceSchemas
		if data {
			list = p.DataSourceSchemas
		}
		if sch, ok := list[typ]; ok && sch.Block != nil {
			return sch.Block, true
		}
		return nil, false
	}
	kind := "resource"
	if data {
		kind = "data"
	}
	name := provider + "/" + kind + "/" + typ + ".json"
	builtin.mu.Lock()
	defer builtin.mu.Unlock()
	if b, ok := builtin.decoded[name]; ok {
		return b, false
	}
	b := readBuiltin(name)
	builtin.decoded[name] = b
	return b, false
}

func readBuiltin(name string) *tfjson.SchemaBlock {
	zr, err := builtin.index()
	if err != nil {
		panic(fmt.Sprintf("the provider schemas built into guard: %v (a build bug)", err))
	}
	f, err := zr.Open(name)
	if err != nil {
		return nil
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return nil
	}
	var b tfjson.SchemaBlock
	if json.Unmarshal(data, &b) != nil {
		return nil
	}
	return &b
}
