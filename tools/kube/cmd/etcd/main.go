// Command etcd is etcd's own server entry point (etcdmain), built here at the
// version k8s.io/kubernetes pins, for the e2e control plane.
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
