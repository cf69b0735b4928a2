package loader

import (
	"path/filepath"
	"strings"

	"github.com/acme/guard/internal/input"
	"github.com/acme/guard/internal/manifest"
)

// parseManifests decodes every document of a YAML (or JSON) file into
// Kubernetes objects, each with the line its document starts on: other
// YAML met in a walk is skipped; a file the user named must hold objects only.
func (l *Loader) parseManifests(path string, data []byte, explicit bool) ([]input.Object, error) {
	mode := manifest.Walked
	if explicit {
		mode = manifest.Named
	}
	return manifest.Decode(l.display(path), data, mode, l.opts.Limits)
}

// documentReader reads JSON and YAML files: a Terraform plan, or Kubernetes
// manifests (see readDocument).
var documentReader = reader{
	claims: func(name string) bool {
		ext := strings.ToLower(filepath.Ext(name))
		return ext == ".json" || ext == ".yaml" || ext == ".yml"
	},
	read: (*Loader).readDocument,
}
