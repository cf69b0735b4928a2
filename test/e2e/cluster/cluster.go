// Package cluster runs the local control plane the admission e2e suite
// submits objects to: etcd, kube-apiserver and Kyverno's admission
// controller, each a process built from the Go module proxy by
// scripts/tools.sh (pinned in tools/kube and tools/kyverno). There is no
// controller-manager, scheduler or kubelet: admission is all that is tested.
//
// A cluster lives in one directory: its credentials, kubeconfig, logs,
// etcd data and a state file naming its processes, so that `make
// cluster-up` can leave it running and `make cluster-down` can stop it.
package cluster

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"time"

	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/restmapper"
	"k8s.io/client-go/tools/clientcmd"
)

// Binaries are the control plane's executables.
type Binaries struct {
	Etcd, APIServer, Kyverno string
}

// DefaultBinaries are where scripts/tools.sh builds them.
func DefaultBinaries(root string) Binaries {
	bin := filepath.Join(root, ".cache", "bin")
	return Binaries{
		Etcd:      filepath.Join(bin, "etcd"),
		APIServer: filepath.Join(bin, "kube-apiserver"),
		Kyverno:   filepath.Join(bin, "kyverno-admission"),
	}
}

// Cluster is a running control plane.
type Cluster struct {
	Dir        string
	Kubeconfig string
	REST       *rest.Config
	Dynamic    dynamic.Interface
	mapper     *restmapper.DeferredDiscoveryRESTMapper
	state      state
}

// state is what `cluster down` needs after the process that started the
// cluster has exited.
type state struct {
	PIDs          map[string]int `json:"pids"`
	APIServerPort int            `json:"apiserverPort"`
	WebhookPort   int            `json:"webhookPort"`
}

func (c *Cluster) stateFile() string { return filepath.Join(c.Dir, "state.json") }

// Start brings up etcd and kube-apiserver in dir (created if missing, must
// not hold a running cluster) and waits until the apiserver is ready.
// Kyverno is started separately (StartKyverno), once its CRDs and
// configuration are installed.
func Start(ctx context.Context, dir string, bins Binaries) (*Cluster, error) {
	for _, b := range []string{bins.Etcd, bins.APIServer, bins.Kyverno} {
		if _, err := os.Stat(b); err != nil {
			return nil, fmt.Errorf("%s: not built; run scripts/tools.sh", b)
		}
	}
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if running(dir) {
		return nil, fmt.Errorf("%s: a cluster is already running there; stop it first (make cluster-down)", dir)
	}
	if err := os.RemoveAll(dir); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, Kubeconfig: filepath.Join(dir, "kubeconfig"), state: state{PIDs: map[string]int{}}}
	p, err := writePKI(dir)
	if err != nil {
		return nil, err
	}
	ports, err := freePorts(4)
	if err != nil {
		return nil, err
	}
	etcdURL := "http://127.0.0.1:" + strconv.Itoa(ports[0])
	c.state.APIServerPort, c.state.WebhookPort = ports[2], ports[3]

	if err := c.spawn("etcd", bins.Etcd, nil,
		"--name=e2e",
		"--data-dir="+filepath.Join(dir, "etcd"),
		"--listen-client-urls="+etcdURL, "--advertise-client-urls="+etcdURL,
		"--listen-peer-urls=http://127.0.0.1:"+strconv.Itoa(ports[1]),
		"--initial-advertise-peer-urls=http://127.0.0.1:"+strconv.Itoa(ports[1]),
		"--initial-cluster=e2e=http://127.0.0.1:"+strconv.Itoa(ports[1]),
		"--unsafe-no-fsync", "--log-level=warn",
	); err != nil {
		return nil, err
	}
	if err := c.spawn("kube-apiserver", bins.APIServer, nil,
		"--etcd-servers="+etcdURL,
		"--bind-address=127.0.0.1", "--advertise-address=127.0.0.1",
		"--secure-port="+strconv.Itoa(c.state.APIServerPort),
		"--tls-cert-file="+p.serverCert, "--tls-private-key-file="+p.serverKey,
		"--client-ca-file="+p.caCert,
		"--service-account-issuer=https://kubernetes.default.svc",
		"--service-account-key-file="+p.saKey, "--service-account-signing-key-file="+p.saKey,
		"--service-cluster-ip-range=10.96.0.0/16",
		"--authorization-mode=Node,RBAC",
		// No controller-manager creates a `default` ServiceAccount, which
		// the ServiceAccount plugin would require of every pod.
		"--disable-admission-plugins=ServiceAccount",
		// The apiserver's own Service endpoints would point at loopback.
		"--endpoint-reconciler-type=none",
		// GKE's apiservers allow privileged containers: admission, not the
		// apiserver's flag, is what stops them there, so it must be here too.
		"--allow-privileged=true",
		"--profiling=false",
	); err != nil {
		c.Stop()
		return nil, err
	}
	if err := c.writeKubeconfig(p); err != nil {
		c.Stop()
		return nil, err
	}
	if err := c.connect(); err != nil {
		c.Stop()
		return nil, err
	}
	if err := c.waitReady(ctx); err != nil {
		c.Stop()
		return nil, err
	}
	return c, c.saveState()
}

// Open connects to the cluster running in dir.
func Open(dir string) (*Cluster, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	c := &Cluster{Dir: dir, Kubeconfig: filepath.Join(dir, "kubeconfig")}
	data, err := os.ReadFile(c.stateFile())
	if err != nil {
		return nil, fmt.Errorf("%s: no cluster there (make cluster-up starts one)", dir)
	}
	if err := json.Unmarshal(data, &c.state); err != nil {
		return nil, fmt.Errorf("%s: %v", c.stateFile(), err)
	}
	if !running(dir) {
		return nil, fmt.Errorf("%s: the cluster there has stopped (make cluster-down, then make cluster-up)", dir)
	}
	return c, c.connect()
}

// Stop kills the cluster's processes and keeps its directory (logs).
func (c *Cluster) Stop() {
	stopPIDs(c.state.PIDs)
	_ = os.Remove(c.stateFile())
}

// Down stops the cluster running in dir, if any.
func Down(dir string) error {
	data, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var s state
	if err := json.Unmarshal(data, &s); err != nil {
		return err
	}
	stopPIDs(s.PIDs)
	return os.Remove(filepath.Join(dir, "state.json"))
}

// running reports whether dir's state file names a live apiserver.
func running(dir string) bool {
	data, err := os.ReadFile(filepath.Join(dir, "state.json"))
	if err != nil {
		return false
	}
	var s state
	if json.Unmarshal(data, &s) != nil {
		return false
	}
	pid := s.PIDs["kube-apiserver"]
	return pid > 0 && syscall.Kill(pid, 0) == nil
}

// stopPIDs stops processes in reverse start order (Kyverno, apiserver, etcd).
func stopPIDs(pids map[string]int) {
	for _, name := range []string{"kyverno", "kube-apiserver", "etcd"} {
		pid := pids[name]
		if pid <= 0 {
			continue
		}
		// Each process leads its own group (Setpgid): take its children too.
		_ = syscall.Kill(-pid, syscall.SIGTERM)
		for i := 0; i < 50 && syscall.Kill(pid, 0) == nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
		_ = syscall.Kill(-pid, syscall.SIGKILL)
	}
}

// DieWithParent makes the processes a cluster spawns end with this process
// (set by the test suite: a test that panics skips its cleanup) instead of
// outliving it (make cluster-up).
var DieWithParent bool

// spawn starts a process in its own process group, logging to
// <dir>/<name>.log; it outlives this one unless DieWithParent.
func (c *Cluster) spawn(name, bin string, env []string, args ...string) error {
	log, err := os.Create(filepath.Join(c.Dir, name+".log"))
	if err != nil {
		return err
	}
	defer log.Close()
	cmd := exec.Command(bin, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.Env = append(os.Environ(), env...)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if DieWithParent {
		cmd.SysProcAttr.Pdeathsig = syscall.SIGKILL
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	c.state.PIDs[name] = cmd.Process.Pid
	// Reap it when it exits, so that a crash shows as a dead pid.
	go func() { _ = cmd.Wait() }()
	return c.saveState()
}

func (c *Cluster) saveState() error {
	data, err := json.MarshalIndent(c.state, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(c.stateFile(), data, 0o644)
}

func (c *Cluster) writeKubeconfig(p *pki) error {
	server := "https://127.0.0.1:" + strconv.Itoa(c.state.APIServerPort)
	kubeconfig := fmt.Sprintf(`apiVersion: v1
kind: Config
clusters:
- name: guard-e2e
  cluster:
    server: %s
    certificate-authority: %s
users:
- name: admin
  user:
    client-certificate: %s
    client-key: %s
contexts:
- name: guard-e2e
  context:
    cluster: guard-e2e
    user: admin
current-context: guard-e2e
`, server, p.caCert, p.adminCert, p.adminKey)
	return os.WriteFile(c.Kubeconfig, []byte(kubeconfig), 0o600)
}

func (c *Cluster) connect() error {
	cfg, err := clientcmd.BuildConfigFromFlags("", c.Kubeconfig)
	if err != nil {
		return fmt.Errorf("%s: %v", c.Kubeconfig, err)
	}
	cfg.QPS, cfg.Burst = 200, 400
	c.REST = cfg
	if c.Dynamic, err = dynamic.NewForConfig(cfg); err != nil {
		return err
	}
	disc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return err
	}
	c.mapper = restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))
	return nil
}

// waitReady polls /readyz until the apiserver answers ok, or a process dies.
func (c *Cluster) waitReady(ctx context.Context) error {
	client, err := rest.HTTPClientFor(c.REST)
	if err != nil {
		return err
	}
	url := c.REST.Host + "/readyz"
	return c.poll(ctx, 90*time.Second, "kube-apiserver /readyz", func() (bool, error) {
		resp, err := client.Get(url)
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})
}

// poll calls check until it returns true, failing when a process of the
// cluster has died (pointing at its log) or the timeout passes.
func (c *Cluster) poll(ctx context.Context, timeout time.Duration, what string, check func() (bool, error)) error {
	deadline := time.Now().Add(timeout)
	var last error
	for {
		ok, err := check()
		if ok {
			return nil
		}
		last = err
		for name, pid := range c.state.PIDs {
			if syscall.Kill(pid, 0) != nil {
				return fmt.Errorf("waiting for %s: %s exited; see %s", what, name, filepath.Join(c.Dir, name+".log"))
			}
		}
		if time.Now().After(deadline) {
			if last != nil {
				return fmt.Errorf("waiting for %s: timed out after %s: %v", what, timeout, last)
			}
			return fmt.Errorf("waiting for %s: timed out after %s", what, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// freePorts asks the kernel for n unused loopback ports.
func freePorts(n int) ([]int, error) {
	var ports []int
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for i := 0; i < n; i++ {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, err
		}
		listeners = append(listeners, l)
		ports = append(ports, l.Addr().(*net.TCPAddr).Port)
	}
	return ports, nil
}
