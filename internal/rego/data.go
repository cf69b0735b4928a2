package rego

import (
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/open-policy-agent/opa/v1/loader"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/parameters"
)

// isDataFile says which files --data reads: JSON and YAML documents.
func isDataFile(path string) bool {
	switch filepath.Ext(path) {
	case ".json", ".yaml", ".yml":
		return true
	}
	return false
}

// loadData reads the --data files and directories with OPA's loader, as
// conftest and opa eval do: a file's document is merged at the root of
// data, one in a subdirectory of a named directory under that path. The
// parameters in effect are data.guard.parameters, whatever --data holds.
func loadData(paths []string, params *parameters.Set) (storage.Store, error) {
	docs := map[string]any{}
	if len(paths) > 0 {
		for _, p := range paths {
			// OPA's loader would block forever on a FIFO; a missing path is
			// a mistyped flag.
			err := filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
				if err == nil && !d.IsDir() && (path == p || isDataFile(path)) {
					_, err = limits.ReadFile(path, limits.Default, filepath.ToSlash)
				}
				if err != nil {
					return &Error{File: filepath.ToSlash(path), Msg: "--data: " + strings.TrimPrefix(limits.PathCause(err).Error(), filepath.ToSlash(path)+": ")}
				}
				return nil
			})
			if err != nil {
				return nil, err
			}
		}
		res, err := loader.NewFileLoader().Filtered(paths, func(abspath string, info fs.FileInfo, depth int) bool {
			return !info.IsDir() && !isDataFile(abspath)
		})
		if err != nil {
			return nil, &Error{Msg: "--data: " + diag.OneLine(formatLoadError(err))}
		}
		docs = res.Documents
	}
	if params != nil {
		guard, _ := docs["guard"].(map[string]any)
		if guard == nil {
			guard = map[string]any{}
		}
		guard["parameters"] = params.Values()
		docs["guard"] = guard
	}
	return inmem.NewFromObject(docs), nil
}
