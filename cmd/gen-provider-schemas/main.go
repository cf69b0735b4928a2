// Command gen-provider-schemas builds the provider schemas built into guard (schemas.zip)
// from the output of `tofu providers schema -json`, one gzip file per
// provider (../shared/provider-schemas). Each resource and data source
// type becomes one entry, PROVIDER/resource/TYPE.json or
// PROVIDER/data/TYPE.json, holding its block without descriptions: guard
// reads only the types a check meets, never a whole provider.
//
//	go run ./cmd/gen-provider-schemas DIR internal/providerschema/schemas.zip
package main

import (
	"archive/zip"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	tfjson "github.com/hashicorp/terraform-json"

	"github.com/acme/guard/internal/providerschema"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: gen-provider-schemas SCHEMA-DIR OUT.zip")
		os.Exit(2)
	}
	if err := run(os.Args[1], os.Args[2]); err != nil {
		fmt.Fprintln(os.Stderr, "gen-provider-schemas:", err)
		os.Exit(1)
	}
}

func run(dir, out string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.json.gz"))
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return fmt.Errorf("no *.json.gz in %s", dir)
	}
	slices.Sort(files)
	f, err := os.Create(out)
	if err != nil {
		return err
	}
	defer f.Close()
	zw := zip.NewWriter(f)
	for _, file := range files {
		ps, err := read(file)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		for _, addr := range slices.Sorted(maps.Keys(ps.Schemas)) {
			p, name := ps.Schemas[addr], providerschema.LocalName(addr)
			for _, kind := range []string{"resource", "data"} {
				schemas := p.ResourceSchemas
				if kind == "data" {
					schemas = p.DataSourceSchemas
				}
				for _, typ := range slices.Sorted(maps.Keys(schemas)) {
					strip(schemas[typ].Block)
					data, err := json.Marshal(schemas[typ].Block)
					if err != nil {
						return err
					}
					// A fixed time: the archive is the same for the same schemas.
					w, err := zw.CreateHeader(&zip.FileHeader{Name: name + "/" + kind + "/" + typ + ".json", Method: zip.Deflate})
					if err != nil {
						return err
					}
					if _, err := w.Write(data); err != nil {
						return err
					}
				}
			}
		}
	}
	return zw.Close()
}

func read(file string) (*tfjson.ProviderSchemas, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		return nil, err
	}
	var ps tfjson.ProviderSchemas
	if err := json.NewDecoder(zr).Decode(&ps); err != nil {
		return nil, err
	}
	if !strings.HasPrefix(ps.FormatVersion, "1.") {
		return nil, fmt.Errorf("format_version %q: guard reads 1.x", ps.FormatVersion)
	}
	return &ps, nil
}

// strip drops what guard never reads (descriptions), which is most of the bytes.
func strip(b *tfjson.SchemaBlock) {
	if b == nil {
		return
	}
	b.Description, b.DescriptionKind = "", ""
	for _, a := range b.Attributes {
		a.Description, a.DescriptionKind = "", ""
		if a.AttributeNestedType != nil {
			for _, na := range a.AttributeNestedType.Attributes {
				na.Description, na.DescriptionKind = "", ""
			}
		}
	}
	for _, nb := range b.NestedBlocks {
		strip(nb.Block)
	}
}
