// Command e2e-cluster starts and stops the local control plane of the
// admission e2e suite, for trying manifests against it by hand:
//
//	make cluster-up      # etcd, kube-apiserver, Kyverno and the stack's policies
//	export KUBECONFIG=.cache/cluster/kubeconfig
//	.cache/bin/kubectl apply --dry-run=server -f my.yaml
//	make cluster-down
package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/acme/guard/test/e2e"
	"github.com/acme/guard/test/e2e/cluster"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: e2e-cluster up|down  (run from the repository root)")
		os.Exit(2)
	}
	root, err := os.Getwd()
	if err != nil {
		fail(err)
	}
	dir := filepath.Join(root, ".cache", "cluster")
	switch os.Args[1] {
	case "up":
		// The Kyverno test suites' namespaces, so that their resources
		// can be tried as the e2e suite tries them.
		_, namespaces, err := e2e.SuiteSubjects(e2e.PolicyDirs(root)...)
		if err != nil {
			fail(err)
		}
		c, err := cluster.Up(context.Background(), root, dir, filepath.Join(root, "bin", "guard"), namespaces...)
		if err != nil {
			fail(err)
		}
		fmt.Printf("control plane up; logs in %s\n  export KUBECONFIG=%s\n  .cache/bin/kubectl apply --dry-run=server -f <manifest>\n", c.Dir, c.Kubeconfig)
	case "down":
		if err := cluster.Down(dir); err != nil {
			fail(err)
		}
	default:
		fmt.Fprintln(os.Stderr, "usage: e2e-cluster up|down")
		os.Exit(2)
	}
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "e2e-cluster:", err)
	os.Exit(1)
}
