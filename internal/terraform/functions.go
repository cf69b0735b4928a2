package terraform

import (
	"fmt"
	"path/filepath"

	"github.com/terraform-linters/tflint/terraform/lang"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"

	"github.com/acme/guard/internal/limits"
)

// Functions is Terraform's built-in function table, from TFLint's maintained
// fork of Terraform's lang package (Terraform's and OpenTofu's own are
// internal): every function Terraform has, with Terraform's semantics, also
// under core::, plus the provider::terraform:: functions. Impure functions
// (timestamp, uuid, bcrypt, plantimestamp) return unknown values: guard cannot
// know what they return at apply. Relative paths in file functions resolve
// against baseDir (the root module, where Terraform runs).
//
// Functions that read a file first check that it is a regular file within
// the file-size limit: file("/dev/zero") or a FIFO would otherwise never return.
// read, when set, is told each file a file function reads.
func Functions(baseDir string, lim limits.Limits, read func(path string)) map[string]function.Function {
	// Scope.PureOnly would do this, but in TFLint v0.64 it wraps functions of
	// a table not yet built (a nil dereference): wrap them here.
	fns := (&lang.Scope{BaseDir: baseDir}).Functions()
	for _, name := range []string{"bcrypt", "timestamp", "uuid"} {
		for _, key := range []string{name, "core::" + name} {
			fns[key] = function.Unpredictable(fns[key])
		}
	}
	for _, name := range []string{"file", "filebase64", "filebase64sha256", "filebase64sha512", "filemd5", "filesha1", "filesha256", "filesha512", "templatefile"} {
		for _, key := range []string{name, "core::" + name} {
			if fn, ok := fns[key]; ok {
				fns[key] = guardedFileFunc(fn, baseDir, lim, read)
			}
		}
	}
	return fns
}

// guardedFileFunc wraps a function whose first argument is a path: it refuses
// anything but a regular file within the size limit before fn reads it.
func guardedFileFunc(fn function.Function, baseDir string, lim limits.Limits, read func(path string)) function.Function {
	return function.New(&function.Spec{
		Description: fn.Description(),
		Params:      fn.Params(),
		VarParam:    fn.VarParam(),
		Type: func(args []cty.Value) (cty.Type, error) {
			return fn.ReturnTypeForValues(args)
		},
		Impl: func(args []cty.Value, retType cty.Type) (cty.Value, error) {
			if len(args) > 0 && args[0].IsKnown() && !args[0].IsNull() && args[0].Type() == cty.String {
				path := args[0].AsString()
				if !filepath.IsAbs(path) {
					path = filepath.Join(baseDir, path)
				}
				st, err := limits.Regular(path)
				if err == limits.ErrNotRegular {
					return cty.NilVal, function.NewArgErrorf(0, "%s is not a regular file", args[0].AsString())
				}
				if err == nil && st.Size() > lim.FileSize {
					return cty.NilVal, function.NewArgErrorf(0, "%s is %s", args[0].AsString(), limits.Exceeded("file-size", fmt.Sprintf("%d bytes", lim.FileSize)))
				}
				if err == nil && read != nil {
					read(path)
				}
			}
			return fn.Call(args)
		},
	})
}
