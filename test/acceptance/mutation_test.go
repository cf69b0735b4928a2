package acceptance

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// mutation is one change a reviewer of the platform would reject, made in a
// copy of the project (stacks/ and charts/): in file, old (which must occur
// exactly once) becomes new; an empty old stands for the whole file. guard check must fail it with the policies want
// names (space-separated: a change can break two things at once) and no
// other failing policy.
type mutation struct {
	name, file, old, new string
	want                 string
}

// mutations of the platform, one change each: both regions (a module or a
// template), one region only (a role condition or a region's values file),
// and across layers.
var mutations = []mutation{
	// GKE clusters (the region module: both regions).
	{"public-endpoint", "stacks/base/modules/region/main.tf", "enable_private_endpoint = true", "enable_private_endpoint = false", "GKE-002"},
	{"public-endpoint-secondary-only", "stacks/base/modules/region/main.tf", "enable_private_endpoint = true", `enable_private_endpoint = var.role == "primary"`, "GKE-002"},
	{"public-nodes", "stacks/base/modules/region/main.tf", "enable_private_nodes    = true", "enable_private_nodes    = false", "GKE-001"},
	{"legacy-abac", "stacks/base/modules/region/main.tf", "enable_legacy_abac    = false", "enable_legacy_abac    = true", "GKE-004"},
	{"client-certificate", "stacks/base/modules/region/main.tf", "issue_client_certificate = false", "issue_client_certificate = true", "GKE-015"},
	{"binary-authorization-off", "stacks/base/modules/region/main.tf", `evaluation_mode = "PROJECT_SINGLETON_POLICY_ENFORCE"`, `evaluation_mode = "DISABLED"`, "GKE-016"},
	{"no-apiserver-audit-logs", "stacks/base/modules/region/main.tf", `enable_components = ["SYSTEM_COMPONENTS", "APISERVER", "CONTROLLER_MANAGER", "SCHEDULER", "WORKLOADS"]`, `enable_components = ["SYSTEM_COMPONENTS", "WORKLOADS"]`, "GKE-017"},
	{"no-release-channel", "stacks/base/modules/region/main.tf", "channel = var.release_channel", `channel = "UNSPECIFIED"`, "GKE-014"},
	{"routes-based", "stacks/base/modules/region/main.tf", `networking_mode = "VPC_NATIVE"`, `networking_mode = "ROUTES"`, "GKE-007"},
	{"authorized-networks-open", "stacks/base/main.tf", "cidr_block = var.bastion_cidr", `cidr_block = "0.0.0.0/0"`, "GKE-003"},
	{"no-dataplane-v2", "stacks/base/modules/region/main.tf", `datapath_provider     = "ADVANCED_DATAPATH"`, `datapath_provider     = "LEGACY_DATAPATH"`, "GKE-005 STK-003"},
	{"no-workload-identity", "stacks/base/modules/region/main.tf", "workload_identity_config {\n    workload_pool = \"${var.project_id}.svc.id.goog\"\n  }\n", "", "GKE-008"},
	{"no-shielded-nodes", "stacks/base/modules/region/main.tf", "enable_shielded_nodes = true", "enable_shielded_nodes = false", "GKE-010"},
	{"alpha-cluster", "stacks/base/modules/region/main.tf", "enable_legacy_abac    = false", "enable_legacy_abac    = false\n  enable_kubernetes_alpha = true", "GKE-018"},
	{"legacy-abac-primary-only", "stacks/base/modules/region/main.tf", "enable_legacy_abac    = false", `enable_legacy_abac    = var.role == "primary"`, "GKE-004"},
	// Node pools.
	{"ubuntu-nodes", "stacks/base/modules/region/main.tf", `image_type      = "COS_CONTAINERD"`, `image_type      = "UBUNTU_CONTAINERD"`, "GKE-012"},
	{"node-metadata-exposed", "stacks/base/modules/region/main.tf", `mode = "GKE_METADATA"`, `mode = "GCE_METADATA"`, "GKE-009"},
	{"secure-boot-off", "stacks/base/modules/region/main.tf", "enable_secure_boot          = true\n      enable_integrity_monitoring = true\n    }\n\n    workload_metadata_config", "enable_secure_boot          = false\n      enable_integrity_monitoring = true\n    }\n\n    workload_metadata_config", "GKE-011"},
	{"no-auto-upgrade", "stacks/base/modules/region/main.tf", "auto_upgrade = true", "auto_upgrade = false", "GKE-013"},
	{"no-auto-repair", "stacks/base/modules/region/main.tf", "auto_repair  = true", "auto_repair  = false", "GKE-013"},
	// Cross-layer: nodes without the platform's service account cannot pull the app's image either.
	{"default-node-service-account", "stacks/base/modules/region/main.tf", "    service_account = var.node_service_account\n", "", "GKE-006 STK-002"},
	// Edge.
	{"waf-sqli-rule-allows", "stacks/base/modules/region/main.tf", "action      = \"deny(403)\"\n    priority    = 1000", "action      = \"allow\"\n    priority    = 1000", "EDGE-001"},
	{"dnssec-off", "stacks/base/main.tf", `state = "on"`, `state = "off"`, "EDGE-003"},
	{"waf-xss-rule-in-preview", "stacks/base/modules/region/main.tf", "action      = \"deny(403)\"\n    priority    = 1001", "action      = \"deny(403)\"\n    preview     = true\n    priority    = 1001", "EDGE-001"},
	{"dns-ttl-slow-failover", "stacks/base/main.tf", "ttl          = var.dns_ttl", "ttl          = 300", "EDGE-002"},
	// Firewalls and the bastion.
	{"bastion-external-ip", "stacks/base/main.tf", "subnetwork = google_compute_subnetwork.bastion.id\n  }", "subnetwork = google_compute_subnetwork.bastion.id\n    access_config {}\n  }", "VM-001"},
	{"bastion-os-login-off", "stacks/base/main.tf", `enable-oslogin         = "TRUE"`, `enable-oslogin         = "FALSE"`, "VM-001"},
	{"bastion-project-ssh-keys", "stacks/base/main.tf", `block-project-ssh-keys = "TRUE"`, `block-project-ssh-keys = "FALSE"`, "VM-001"},
	{"no-health-check-firewall", "stacks/base/main.tf", "direction   = \"INGRESS\"\n  priority    = 1000\n\n  source_ranges           = local.health_check_ranges", "direction   = \"INGRESS\"\n  priority    = 1000\n  disabled    = true\n\n  source_ranges           = local.health_check_ranges", "NET-003"},
	{"no-proxy-only-firewall", "stacks/base/main.tf", "source_ranges           = [for r in values(var.region_cidrs) : r.proxy_only]", "disabled                = true\n  source_ranges           = [for r in values(var.region_cidrs) : r.proxy_only]", "NET-003"},
	{"ssh-open-to-the-world", "stacks/base/main.tf", "source_ranges           = [local.iap_range]", `source_ranges           = ["0.0.0.0/0"]`, "NET-001 NET-004"},
	{"ssh-from-an-office", "stacks/base/main.tf", "source_ranges           = [local.iap_range]", `source_ranges           = [local.iap_range, "203.0.113.0/24"]`, "NET-004"},
	{"health-check-rule-widened", "stacks/base/main.tf", "source_ranges           = local.health_check_ranges", `source_ranges           = concat(local.health_check_ranges, ["10.0.0.0/8"])`, "NET-002"},
	{"bastion-serial-port", "stacks/base/main.tf", `block-project-ssh-keys = "TRUE"`, "block-project-ssh-keys = \"TRUE\"\n    serial-port-enable     = \"TRUE\"", "VM-001"},
	{"bastion-ip-forwarding", "stacks/base/main.tf", `machine_type = "e2-small"`, "machine_type = \"e2-small\"\n  can_ip_forward = true", "VM-001"},
	// IAM.
	{"node-sa-extra-role", "stacks/base/main.tf", `"roles/monitoring.viewer",`, "\"roles/monitoring.viewer\",\n    \"roles/storage.admin\",", "IAM-002 IAM-001"},
	{"owner-to-a-user", "stacks/base/main.tf", "member  = google_service_account.gke_nodes.member\n}", "member  = google_service_account.gke_nodes.member\n}\n\nresource \"google_project_iam_member\" \"owner\" {\n  project = var.project_id\n  role    = \"roles/owner\"\n  member  = \"user:someone@example.com\"\n}", "IAM-001 IAM-004"},
	// What Trivy checks too (the second policy-library issue), one case each.
	{"firewall-without-source", "stacks/base/main.tf", "  source_ranges           = [local.iap_range]\n  target_service_accounts = [google_service_account.bastion.email]", "  target_service_accounts = [google_service_account.bastion.email]", "NET-001 NET-004"},
	{"firewall-all-ports", "stacks/base/main.tf", "    ports    = [\"22\"]\n", "", "NET-005"},
	{"firewall-wide-port-range", "stacks/base/main.tf", "    ports    = [\"22\"]", "    ports    = [\"22\", \"1024-65535\"]", "NET-005"},
	{"second-vm-with-defaults", "stacks/base/main.tf", "# ---------------------------------------------------------------- bastion\n", "# ---------------------------------------------------------------- bastion\n\nresource \"google_compute_instance\" \"tools\" {\n  project      = var.project_id\n  name         = \"tools\"\n  zone         = \"${var.regions.primary}-b\"\n  machine_type = \"e2-small\"\n  boot_disk {\n    initialize_params {\n      image = \"debian-cloud/debian-12\"\n    }\n  }\n  network_interface {\n    subnetwork = google_compute_subnetwork.bastion.id\n    access_config {}\n  }\n  service_account {\n    scopes = [\"cloud-platform\"]\n  }\n}\n", "VM-001"},
	{"bastion-secure-boot-off", "stacks/base/main.tf", "enable_secure_boot          = true\n    enable_vtpm", "enable_secure_boot          = false\n    enable_vtpm", "VM-001"},
	{"bastion-default-service-account", "stacks/base/main.tf", "    email  = google_service_account.bastion.email\n    scopes", "    scopes", "VM-001"},
	{"token-creator-to-a-group", "stacks/base/main.tf", "member  = google_service_account.gke_nodes.member\n}", "member  = google_service_account.gke_nodes.member\n}\n\nresource \"google_project_iam_member\" \"impersonate\" {\n  project = var.project_id\n  role    = \"roles/iam.serviceAccountTokenCreator\"\n  member  = \"group:ops@example.com\"\n}", "IAM-004"},
	{"node-subnet-no-flow-logs", "stacks/base/modules/region/main.tf", "  log_config {\n    aggregation_interval = \"INTERVAL_5_SEC\"\n    flow_sampling        = 0.5\n    metadata             = \"INCLUDE_ALL_METADATA\"\n  }\n}\n\n# The regional", "}\n\n# The regional", "NET-006"},
	{"node-subnet-no-private-google-access", "stacks/base/modules/region/main.tf", "ip_cidr_range            = var.cidrs.nodes\n  private_ip_google_access = true", "ip_cidr_range            = var.cidrs.nodes\n  private_ip_google_access = false", "NET-006"},
	{"dnssec-rsasha1", "stacks/base/main.tf", "    state = \"on\"\n", "    state = \"on\"\n    default_key_specs {\n      algorithm  = \"rsasha1\"\n      key_length = 2048\n      key_type   = \"keySigning\"\n    }\n", "EDGE-003"},
	{"cloud-monitoring-off", "stacks/base/modules/region/main.tf", "enable_legacy_abac    = false", "enable_legacy_abac    = false\n  monitoring_service    = \"none\"", "GKE-019"},
	{"writable-root-filesystem", "charts/app/templates/deployment.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false", "K8S-008"},
	{"service-load-balancer", "charts/app/templates/service.yaml", "type: ClusterIP", "type: LoadBalancer", "K8S-009"},
	{"service-node-port", "charts/app/templates/service.yaml", "type: ClusterIP", "type: NodePort", "K8S-009"},
	{"service-external-ips", "charts/app/templates/service.yaml", "type: ClusterIP", "type: ClusterIP\n  externalIPs: [203.0.113.10]", "K8S-009"},
	{"password-in-configmap", "charts/app/templates/serviceaccount.yaml", "automountServiceAccountToken: false", "automountServiceAccountToken: false\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-settings\ndata:\n  DB_PASSWORD: hunter2", "K8S-010"},
	{"app-bound-to-edit", "charts/app/templates/serviceaccount.yaml", "automountServiceAccountToken: false", "automountServiceAccountToken: false\n---\napiVersion: rbac.authorization.k8s.io/v1\nkind: RoleBinding\nmetadata:\n  name: app-edit\nroleRef:\n  apiGroup: rbac.authorization.k8s.io\n  kind: ClusterRole\n  name: edit\nsubjects:\n  - kind: ServiceAccount\n    name: {{ .Values.serviceAccount.name }}", "RBAC-001"},
	// Secrets the platform references but nothing creates.
	{"gateway-tls-from-a-secret", "charts/app/templates/gateway.yaml", "        options:\n          networking.gke.io/cert-manager-certs:", "        certificateRefs:\n          - name: app-tls\n        options:\n          networking.gke.io/cert-manager-certs:", "STK-006"},
	{"grafana-admin-secret-nobody-creates", "stacks/base/kubernetes.tf", "      adminPassword = null\n", "      adminPassword = null\n      admin         = { existingSecret = \"grafana-admin\" }\n", "STK-006"},
	// The app chart (both regions).
	{"privileged-container", "charts/app/templates/deployment.yaml", "privileged: false", "privileged: true", "K8S-001"},
	{"root-container", "charts/app/templates/deployment.yaml", "            runAsNonRoot: true\n            privileged: false", "            runAsNonRoot: false\n            privileged: false", "K8S-001"},
	{"service-account-token", "charts/app/templates/deployment.yaml", "automountServiceAccountToken: false", "automountServiceAccountToken: true", "K8S-005"},
	{"http-route-on-http-listener", "charts/app/templates/httproute.yaml", "sectionName: https", "sectionName: http", "EDGE-004"},
	{"redirect-to-http", "charts/app/templates/httproute.yaml", "scheme: https", "scheme: http", "EDGE-004"},
	{"privilege-escalation", "charts/app/templates/deployment.yaml", "allowPrivilegeEscalation: false", "allowPrivilegeEscalation: true", "K8S-001"},
	{"seccomp-unconfined", "charts/app/templates/deployment.yaml", "      securityContext:\n        runAsNonRoot: true\n        runAsUser: 65532\n        runAsGroup: 65532\n        seccompProfile:\n          type: RuntimeDefault", "      securityContext:\n        runAsNonRoot: true\n        runAsUser: 65532\n        runAsGroup: 65532\n        seccompProfile:\n          type: Unconfined", "K8S-001"},
	{"host-network", "charts/app/templates/deployment.yaml", "enableServiceLinks: false", "enableServiceLinks: false\n      hostNetwork: true", "K8S-001"},
	{"empty-dir-volume", "charts/app/templates/deployment.yaml", "enableServiceLinks: false", "enableServiceLinks: false\n      volumes:\n        - name: scratch\n          emptyDir: {}", "K8S-004"},
	{"default-deny-narrowed", "charts/app/templates/networkpolicies.yaml", "  podSelector: {}\n  policyTypes:\n    - Ingress\n    - Egress\n---\n# ...then DNS", "  podSelector:\n    matchLabels:\n      tier: none\n  policyTypes:\n    - Ingress\n    - Egress\n---\n# ...then DNS", "STK-004"},
	// Fail-closed scope: the pod policies reach every namespace but the
	// reviewed system ones, and nothing runs in default.
	{"deployment-in-default", "charts/app/templates/deployment.yaml", "  namespace: {{ .Release.Namespace }}", "  namespace: default", "K8S-007 STK-004"},
	{"privileged-nginx-in-default", "charts/app/templates/serviceaccount.yaml", "automountServiceAccountToken: false", "automountServiceAccountToken: false\n" + privilegedNginx("default"), "K8S-001 K8S-002 K8S-003 K8S-005 K8S-007 K8S-008 STK-002 STK-004"},
	// In monitoring, nothing is excepted (its components pass on their
	// merits): a pod of the default ServiceAccount mounts no token there
	// either.
	{"privileged-nginx-in-monitoring", "charts/app/templates/serviceaccount.yaml", "automountServiceAccountToken: false", "automountServiceAccountToken: false\n" + privilegedNginx("monitoring"), "K8S-001 K8S-002 K8S-003 K8S-005 K8S-008 STK-002"},
	{"namespace-baseline", "charts/app/templates/namespace.yaml", "pod-security.kubernetes.io/enforce: restricted", "pod-security.kubernetes.io/enforce: baseline", "K8S-006"},
	// (values.schema.json already refuses such values: the template is changed.)
	{"image-latest", "charts/app/templates/deployment.yaml", `image: {{ include "app.image" . | quote }}`, `image: "europe-docker.pkg.dev/acme-platform-prod/prod-images/app:latest"`, "K8S-002"},
	{"no-limits", "charts/app/templates/deployment.yaml", "{{- toYaml .Values.resources | nindent 12 }}", "requests: {cpu: 250m, memory: 256Mi}", "K8S-003"},
	{"image-from-docker-hub", "charts/app/templates/deployment.yaml", `image: {{ include "app.image" . | quote }}`, `image: "docker.io/library/nginx:1.27"`, "K8S-002 STK-002"},
	// One region's values.
	{"waf-detached", "charts/app/templates/gcpbackendpolicy.yaml", "", "", "STK-005"},
	{"waf-typo-secondary", "charts/app/values-secondary.yaml", "policyName: prod-secondary-app-waf", "policyName: prod-secondary-app-wafx", "STK-005"},
}

// privilegedNginx is a Deployment document in namespace ns: a privileged Docker
// Hub image by its latest tag, nothing else set.
func privilegedNginx(ns string) string {
	return `---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: debug
  namespace: ` + ns + `
spec:
  selector:
    matchLabels: {app: debug}
  template:
    metadata:
      labels: {app: debug}
    spec:
      containers:
        - name: nginx
          image: docker.io/library/nginx:latest
          securityContext:
            privileged: true
`
}

// Each mutation of a copy of the platform is caught by its policy alone;
// the unchanged copy passes.
func TestMutations(t *testing.T) {
	if len(mutations) < 40 {
		t.Fatalf("%d mutations", len(mutations))
	}
	// The copy's own configuration (.guard.yaml): the library as checked
	// out, this platform's profile, parameters and exceptions.
	check := func(t *testing.T, dir string, extra ...string) (int, map[string]bool, string) {
		t.Helper()
		r := runIn(t, dir, append([]string{"check", "--format", "json"}, extra...)...)
		var rep struct {
			Findings []struct {
				Policy, Level, Message, Resource string
				Waived                           bool
			}
		}
		if r.code == 2 || json.Unmarshal([]byte(r.stdout), &rep) != nil {
			t.Fatalf("exit %d: %s", r.code, r.stderr)
		}
		failing := map[string]bool{}
		var msgs []string
		for _, f := range rep.Findings {
			if f.Level == "deny" && !f.Waived {
				failing[f.Policy] = true
				msgs = append(msgs, f.Policy+": "+f.Message+" ("+f.Resource+")")
			}
		}
		sort.Strings(msgs)
		return r.code, failing, strings.Join(msgs, "\n")
	}
	t.Run("unchanged", func(t *testing.T) {
		t.Parallel()
		if code, failing, msgs := check(t, projectCopy(t)); code != 0 || len(failing) > 0 {
			t.Errorf("the unchanged platform: exit %d\n%s", code, msgs)
		}
	})
	seen := map[string]bool{}
	for _, m := range mutations {
		if seen[m.name] {
			t.Fatalf("two mutations named %s", m.name)
		}
		seen[m.name] = true
		t.Run(m.name, func(t *testing.T) {
			t.Parallel()
			dir := projectCopy(t)
			path := filepath.Join(dir, m.file)
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			changed := m.new
			if m.old != "" {
				if n := strings.Count(string(data), m.old); n != 1 {
					t.Fatalf("%s holds %q %d times, want once", m.file, m.old, n)
				}
				changed = strings.Replace(string(data), m.old, m.new, 1)
			}
			if err := os.WriteFile(path, []byte(changed), 0o644); err != nil {
				t.Fatal(err)
			}
			judge := func(extra ...string) {
				code, failing, msgs := check(t, dir, extra...)
				want := strings.Fields(m.want)
				ok := code == 1 && len(failing) == len(want)
				for _, id := range want {
					ok = ok && failing[id]
				}
				if !ok {
					t.Errorf("%v: want exit 1 and %s alone; exit %d:\n%s", extra, m.want, code, msgs)
				}
				if len(extra) > 0 && strings.Contains(msgs, ":Deployment/") {
					t.Errorf("with Rollouts, a finding on a Deployment:\n%s", msgs)
				}
			}
			judge()
			// The pod template is the Rollout's too: released with Argo
			// Rollouts, the same change fails the same policies.
			shared := strings.Index(string(data), `define "app.podTemplate"`)
			if m.file == "charts/app/templates/deployment.yaml" && shared >= 0 && strings.Index(string(data), m.old) > shared {
				judge("--var", "rollout_enabled={primary=true,secondary=true}")
			}
		})
	}
}

// projectCopy copies the platform (stacks/ and charts/), the policies and
// parameters it installs (policies/, platform/) and the configuration that
// names them (.guard.yaml) into a temporary directory, without hidden
// directories (a developer's .terraform, with its provider binaries, has no
// place in the copy).
func projectCopy(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	config, err := os.ReadFile(filepath.Join(root, ".guard.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".guard.yaml"), config, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, top := range []string{"stacks", "charts", "policies", "platform"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d os.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			if d.IsDir() {
				if strings.HasPrefix(d.Name(), ".") && path != filepath.Join(root, top) {
					return filepath.SkipDir
				}
				return os.MkdirAll(filepath.Join(dir, rel), 0o755)
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			return os.WriteFile(filepath.Join(dir, rel), data, 0o644)
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// runIn runs guard in dir.
func runIn(t *testing.T, dir string, args ...string) result {
	t.Helper()
	cmd := exec.Command(guardBin, args...)
	cmd.Dir = dir
	return run(t, cmd)
}
