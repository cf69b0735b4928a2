package loader

import "github.com/acme/guard/internal/input"

// A reader reads one kind of input into the model: Terraform resources or
// Kubernetes objects. The walk offers each directory it enters, then each
// file, to the readers in the order of readers below: every directory to
// every reader's enter; a file to the first reader that claims it. Adding a
// kind of input is a file holding its reader, and one line here.
type reader struct {
	// enter reads what a directory holds as a whole, on entering it (nil:
	// nothing). taken are the files it read, which the walk does not offer
	// again; whole stops the walk there (a chart is rendered, not walked).
	enter func(l *Loader, dir string, explicit bool) (in *input.Input, taken []string, whole bool, err error)
	// claims says whether a file (by its name) is of this kind.
	claims func(name string) bool
	// read reads a claimed file; explicit is true when the user named it.
	read func(l *Loader, path string, explicit bool) (*input.Input, error)
}

// readers are the kinds of input guard reads, in the order they claim.
var readers = []reader{
	chartReader,     // helm.go: a directory with Chart.yaml
	terraformReader, // stack.go: .tf and .tf.json, and the plans beside them
	tfvarsReader,    // stack.go: .tfvars, read with their root module
	documentReader,  // manifest.go: JSON and YAML, a plan or Kubernetes manifests
}

// anyKind is how an error names the kinds for a file none claims.
const anyKind = "a plan JSON, Terraform directory, chart or Kubernetes YAML"
