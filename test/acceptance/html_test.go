package acceptance

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"
)

// chromium is Debian's Chromium, which scripts/tools.sh installs with
// apt-get where it is missing (GUARD_CHROMIUM, else chromium on PATH). CI
// must have it: there the test fails without it rather than skip.
func chromium(t *testing.T) string {
	t.Helper()
	if c := os.Getenv("GUARD_CHROMIUM"); c != "" {
		return c
	}
	c, err := exec.LookPath("chromium")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("chromium is not installed (scripts/tools.sh installs Debian's chromium)")
		}
		t.Skip("chromium is not installed (scripts/tools.sh installs Debian's chromium)")
	}
	return c
}

// browse runs headless Chromium on a local file with the network switched
// off (as this machine's closed network demands), with args that say what
// to produce (--dump-dom, --screenshot=FILE).
func browse(t *testing.T, file string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + t.TempDir()}
	cmd := exec.CommandContext(ctx, chromium(t), append(append(flags, args...), "file://"+file)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium %v: %v\n%s", args, err, errOut.String())
	}
	return out.String()
}

// htmlCheckFinding is what the DOM test reads of the JSON report.
type htmlCheckFinding struct {
	Policy     string `json:"policy"`
	Severity   string `json:"severity"`
	Level      string `json:"level"`
	Waived     bool   `json:"waived"`
	Baseline   bool   `json:"baseline"`
	Suppressed *struct {
		Reason string `json:"reason"`
	} `json:"suppressed"`
}

type htmlCheckReport struct {
	Version  string             `json:"version"`
	Summary  map[string]any     `json:"summary"`
	Findings []htmlCheckFinding `json:"findings"`
	Policies []struct {
		ID string `json:"id"`
	} `json:"policies"`
}

var severityRank = map[string]int{"LOW": 1, "MEDIUM": 2, "HIGH": 3, "CRITICAL": 4}

// status is how a finding counts, read from the JSON report alone (the
// README's JSON fields): the HTML report must count the same.
func (f htmlCheckFinding) status(threshold string) string {
	switch {
	case f.Waived:
		return "waived"
	case f.Suppressed != nil:
		return "suppressed"
	case f.Baseline:
		return "baseline"
	case f.Level == "warn":
		return "warning"
	case severityRank[f.Severity] >= severityRank[threshold]:
		return "failed"
	}
	return "below threshold"
}

// TestHTMLReportInBrowser renders the HTML report of this repository (as
// make check checks it), of the real plans of its stacks (../shared), of a
// failing plan and of a finding suppressed inline in headless Chromium, and
// checks the DOM Chromium built against the JSON report of the same check:
// the summary's counts, the control matrix's counts per policy and status,
// the findings by control, the waived and suppressed ones with their
// reasons, the digests of the inputs. With -update-golden it also keeps the screenshot of the
// failing plan's report in docs/.
func TestHTMLReportInBrowser(t *testing.T) {
	chromium(t)
	charts := filepath.Join(root, "..", "shared", "charts")
	stackPlans := filepath.Join(root, "..", "shared", "stack-plans")
	suppressed := filepath.Join(t.TempDir(), "main.tf")
	until := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	writeFile(t, suppressed, publicCluster(`# guard:ignore GKE-002 until=`+until+` reason="public until the VPN lands (NET-12)"`))
	cases := []struct {
		name string
		args []string
		// digested are files whose SHA-256 the evidence must give.
		digested   []string
		code       int
		screenshot string
		// columns are the matrix's scopes (stack/region) and the clusters
		// heading them, where the case says.
		columns, clusters []string
	}{
		{name: "failing plan", args: []string{"testdata/plans/base-default-sa.json"},
			digested: []string{"testdata/plans/base-default-sa.json"}, code: 1, screenshot: "docs/html-report.png"},
		{name: "suppressed inline", args: []string{"--only-policy", "GKE-002", suppressed}, digested: []string{suppressed}},
		// The real plans of the project's stacks (made with the real
		// google and helm providers): regions from module keys and helm
		// provider aliases, clusters named as the provider planned them.
		{name: "real stack plans", args: []string{"--charts", charts, "--source", "stacks/base", "--source", "stacks/app", stackPlans + "/base.json", stackPlans + "/app.json"},
			digested: []string{stackPlans + "/base.json", stackPlans + "/app.json", charts + "/kyverno-3.9.1.tgz"}, code: 1,
			columns:  []string{"app/primary", "app/secondary", "base/", "base/europe", "base/europe-west1", "base/primary", "base/secondary"},
			clusters: []string{"prod-primary-gke", "prod-secondary-gke", "no cluster", "no cluster", "no cluster", "prod-primary-gke", "prod-secondary-gke"}},
		{name: "repository", args: []string{"--charts", charts},
			digested: []string{"stacks/base/main.tf", "charts/app/values.yaml", "platform/parameters.yaml", ".guard.yaml", "policies/rego/lib/terraform.rego", "platform/exceptions/monitoring-node-exporter.yaml"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if slices.Contains(tc.args, charts) {
				if _, err := os.Stat(charts); err != nil {
					t.Skipf("needs ../shared (the base stack's repository charts, the real stack plans; CI has it): %v", err)
				}
			}
			dir := t.TempDir()
			page, data := filepath.Join(dir, "report.html"), filepath.Join(dir, "report.json")
			for format, file := range map[string]string{"html": page, "json": data} {
				if r := guard(t, append([]string{"check", "--format", format, "--output", file}, tc.args...)...); r.code != tc.code {
					t.Fatalf("%s: exit %d, want %d: %s", format, r.code, tc.code, r.stderr)
				}
			}
			raw, err := os.ReadFile(data)
			if err != nil {
				t.Fatal(err)
			}
			var want htmlCheckReport
			if err := json.Unmarshal(raw, &want); err != nil {
				t.Fatal(err)
			}
			doc, err := html.Parse(strings.NewReader(browse(t, page, "--dump-dom")))
			if err != nil {
				t.Fatal(err)
			}
			checkDOM(t, doc, want)
			checkEvidence(t, doc, tc.digested)
			if tc.columns != nil {
				var got []string
				for _, th := range findAll(doc, func(n *html.Node) bool { return n.Data == "th" && attr(n, "data-scope") != "" }) {
					got = append(got, attr(th, "data-scope"))
				}
				if !slices.Equal(got, tc.columns) {
					t.Errorf("the matrix's columns are %v, want %v", got, tc.columns)
				}
				heads := texts(findAll(doc, func(n *html.Node) bool { return n.Data == "th" && hasClass(n, "clusters") }))
				if !slices.Equal(heads, tc.clusters) {
					t.Errorf("the matrix's clusters are %v, want %v", heads, tc.clusters)
				}
			}

			shot := filepath.Join(dir, "report.png")
			browse(t, page, "--window-size=1280,1500", "--screenshot="+shot)
			png, err := os.ReadFile(shot)
			if err != nil || !bytes.HasPrefix(png, []byte("\x89PNG\r\n\x1a\n")) || len(png) < 20000 {
				t.Fatalf("no screenshot of the report (%d bytes): %v", len(png), err)
			}
			if *updateGolden && tc.screenshot != "" {
				writeFile(t, filepath.Join(root, tc.screenshot), string(png))
			}
		})
	}
}

// checkDOM compares what the page shows with the JSON report.
func checkDOM(t *testing.T, doc *html.Node, want htmlCheckReport) {
	t.Helper()
	threshold, _ := want.Summary["threshold"].(string)
	for _, key := range []string{"resources", "objects", "policies", "findings", "failures", "warnings", "waived", "suppressed"} {
		cells := findAll(doc, func(n *html.Node) bool { return attr(n, "data-count") == key })
		n, _ := want.Summary[key].(float64)
		if len(cells) != 1 || text(cells[0]) != strconv.Itoa(int(n)) {
			t.Errorf("summary %s: the page shows %q, the JSON report %d", key, texts(cells), int(n))
		}
	}
	verdict := findAll(doc, func(n *html.Node) bool { return attr(n, "data-verdict") != "" })
	wantVerdict := map[bool]string{true: "passed", false: "failed"}[want.Summary["passed"] == true]
	if len(verdict) != 1 || attr(verdict[0], "data-verdict") != wantVerdict {
		t.Errorf("verdict: the page says %q, want %s", texts(verdict), wantVerdict)
	}
	if v := findAll(doc, func(n *html.Node) bool { return attr(n, "data-field") == "version" }); len(v) != 1 || text(v[0]) != want.Version {
		t.Errorf("version: the page says %q, the JSON report %q", texts(v), want.Version)
	}

	// The control matrix: one row per policy; its cells count the
	// policy's findings by status, as the JSON report's do.
	wantCounts, wantByPolicy := map[string]int{}, map[string]int{}
	for _, f := range want.Findings {
		wantCounts[f.Policy+" "+f.status(threshold)]++
		wantByPolicy[f.Policy]++
	}
	rows := findAll(doc, func(n *html.Node) bool { return n.Data == "tr" && attr(n, "data-policy") != "" })
	if len(rows) != len(want.Policies) {
		t.Errorf("the matrix has %d policy rows, the JSON report %d policies", len(rows), len(want.Policies))
	}
	gotCounts := map[string]int{}
	for _, row := range rows {
		for _, span := range findAll(row, func(n *html.Node) bool { return attr(n, "data-status") != "" }) {
			n, _ := strconv.Atoi(attr(span, "data-n"))
			gotCounts[attr(row, "data-policy")+" "+attr(span, "data-status")] += n
		}
	}
	compareCounts(t, "matrix", gotCounts, wantCounts)

	// Findings by control: a section per policy with findings, a row per finding.
	gotByPolicy := map[string]int{}
	for _, sec := range findAll(doc, func(n *html.Node) bool { return n.Data == "section" && attr(n, "data-policy") != "" }) {
		gotByPolicy[attr(sec, "data-policy")] = len(findAll(sec, func(n *html.Node) bool { return hasClass(n, "finding") }))
	}
	compareCounts(t, "findings by control", gotByPolicy, wantByPolicy)

	// Every waived or suppressed finding is listed with a reason.
	accepted := findAll(doc, func(n *html.Node) bool { return hasClass(n, "acceptance") })
	n := 0
	for _, f := range want.Findings {
		if f.Waived || f.Suppressed != nil {
			n++
		}
	}
	if len(accepted) < n {
		t.Errorf("%d waived or suppressed findings listed, the JSON report has %d", len(accepted), n)
	}
	for _, row := range accepted {
		cells := findAll(row, func(n *html.Node) bool { return n.Data == "td" })
		if len(cells) < 5 || text(cells[4]) == "—" || text(cells[4]) == "" {
			t.Errorf("an accepted finding without a reason: %q", text(row))
		}
	}

	// Self-contained: nothing to fetch, nothing to run.
	for _, n := range findAll(doc, func(n *html.Node) bool {
		return n.Data == "script" || n.Data == "link" || n.Data == "img" || n.Data == "iframe" || attr(n, "src") != "" ||
			(attr(n, "href") != "" && !strings.HasPrefix(attr(n, "href"), "#"))
	}) {
		t.Errorf("the report refers outside itself: <%s %v>", n.Data, n.Attr)
	}
}

// checkEvidence finds each file in the evidence table with the digest the
// test computes.
func checkEvidence(t *testing.T, doc *html.Node, files []string) {
	t.Helper()
	got := map[string]string{}
	for _, table := range findAll(doc, func(n *html.Node) bool { return n.Data == "table" && hasClass(n, "inputs") }) {
		for _, row := range findAll(table, func(n *html.Node) bool { return n.Data == "tr" }) {
			cells := findAll(row, func(n *html.Node) bool { return n.Data == "th" || n.Data == "td" })
			if len(cells) == 3 {
				got[text(cells[0])] = text(cells[2])
			}
		}
	}
	for _, f := range files {
		path := f
		if !filepath.IsAbs(f) {
			path = filepath.Join(root, f)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		sum := sha256.Sum256(data)
		if want := hex.EncodeToString(sum[:]); got[f] != want {
			t.Errorf("evidence for %s: %q, want %s", f, got[f], want)
		}
	}
}

func compareCounts(t *testing.T, what string, got, want map[string]int) {
	t.Helper()
	for k, n := range want {
		if got[k] != n {
			t.Errorf("%s: %s: the page counts %d, the JSON report %d", what, k, got[k], n)
		}
	}
	for k, n := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s: %s: the page counts %d, the JSON report none", what, k, n)
		}
	}
}

func findAll(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
		out = append(out, findAll(c, match)...)
	}
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func hasClass(n *html.Node, class string) bool {
	return n.Type == html.ElementNode && strings.Contains(" "+attr(n, "class")+" ", " "+class+" ")
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(n)
	return strings.Join(strings.Fields(b.String()), " ")
}

func texts(ns []*html.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = text(n)
	}
	return out
}
