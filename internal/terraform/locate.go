package terraform

import (
	"path/filepath"
	"strings"

	"github.com/hashicorp/hcl/v2"
	"github.com/zclconf/go-cty/cty"

	"github.com/acme/guard/internal/input"
)

// Locate finds the block that declares a resource of a plan in the sources
// of the root module at root, through its module calls, so that findings on
// a plan point at a .tf line. ok is false when the sources do not declare it
// (they may be older than the plan, or another stack's).
func (c *Configs) Locate(root, module, mode, typ, name string) (src input.Source, ok bool, err error) {
	root, _ = filepath.Abs(root)
	cfg, err := c.Module(root)
	if err != nil {
		return src, false, err
	}
	var keyPath []string
	var via []input.Call
	for _, call := range moduleCallPath(module) {
		callName := call[len("module."):]
		keyPath = append(keyPath, callName)
		block := findBlock(cfg.Calls, callName)
		if block == nil {
			return src, false, nil
		}
		via = append(via, input.Call{File: block.DefRange.Filename, Line: block.DefRange.Start.Line, Module: call})
		meta, _, _ := block.Body.PartialContent(moduleCallSchema)
		a, has := meta.Attributes["source"]
		if !has {
			return src, false, nil
		}
		v, d := a.Expr.Value(nil)
		if d.HasErrors() || v.Type() != cty.String || v.IsNull() {
			return src, false, nil
		}
		dir, err := moduleSourceDir(root, cfg.Dir, strings.Join(keyPath, "."), v.AsString())
		if err != nil {
			return src, false, nil
		}
		if cfg, err = c.Module(dir); err != nil {
			return src, false, err
		}
	}
	blockType := "resource"
	if mode == "data" {
		blockType = "data"
	}
	for _, b := range cfg.Resources {
		if b.Type == blockType && b.Labels[0] == typ && b.Labels[1] == name {
			return input.Source{File: b.DefRange.Filename, Line: b.DefRange.Start.Line, Via: via}, true, nil
		}
	}
	return src, false, nil
}

func findBlock(blocks []*hcl.Block, label string) *hcl.Block {
	for _, b := range blocks {
		if len(b.Labels) > 0 && b.Labels[0] == label {
			return b
		}
	}
	return nil
}
