package loader

import (
	"strings"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/acme/guard/internal/input"
)

// locator finds the HCL block that declares a resource of a plan, through the
// stack's module calls, so that findings on a plan point at a .tf line.
type locator struct {
	cache *configCache
	root  string
}

// find returns the source of the block declaring the resource; ok is false
// when the sources do not declare it (they may be older than the plan).
func (l *locator) find(module, mode, typ, name string) (src input.Source, ok bool, err error) {
	cfg, err := l.cache.load(l.root)
	if err != nil {
		return src, false, err
	}
	var keyPath []string
	for _, call := range moduleCallPath(module) {
		callName := call[len("module."):]
		keyPath = append(keyPath, callName)
		block := findBlock(cfg.modules, callName)
		if block == nil {
			return src, false, nil
		}
		a, has := block.Body.Attributes["source"]
		if !has {
			return src, false, nil
		}
		v, d := a.Expr.Value(nil)
		if d.HasErrors() || v.Type() != cty.String {
			return src, false, nil
		}
		dir, err := moduleSourceDir(l.root, cfg.dir, strings.Join(keyPath, "."), v.AsString())
		if err != nil {
			return src, false, nil
		}
		if cfg, err = l.cache.load(dir); err != nil {
			return src, false, err
		}
	}
	blockType := "resource"
	if mode == "data" {
		blockType = "data"
	}
	for _, b := range cfg.resources {
		if b.Type == blockType && b.Labels[0] == typ && b.Labels[1] == name {
			return input.Source{File: b.TypeRange.Filename, Line: b.TypeRange.Start.Line}, true, nil
		}
	}
	return src, false, nil
}

func findBlock(blocks []*hclsyntax.Block, label string) *hclsyntax.Block {
	for _, b := range blocks {
		if len(b.Labels) > 0 && b.Labels[0] == label {
			return b
		}
	}
	return nil
}
