package acceptance

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// reportVersion is the JSON report's version line.
var reportVersion = regexp.MustCompile(`(?m)^  "version": "[^"]*"`)

var updateGolden = flag.Bool("update-golden", false, "rewrite testdata/golden from guard's output")

// goldenCases are the reports whose bytes must not change when guard is
// made faster: the repository as `make check` sees it, and every plan of
// testdata/plans and testdata/stack-plans with its sources.
var goldenCases = []struct {
	name string
	args []string
}{
	{"repository", nil},
	{"plans", []string{"--source", baseSources, "--source", "testdata/reference/app", "testdata/plans"}},
	{"stack-plans", []string{"--source", "stacks/base", "--source", "stacks/app", "testdata/stack-plans/base.json", "testdata/stack-plans/app.json"}},
}

// TestGoldenReports compares guard's JSON report byte for byte with the one
// recorded in testdata/golden (rewritten with -update-golden, and reviewed
// in the diff, when a change means to alter findings).
func TestGoldenReports(t *testing.T) {
	for _, tc := range goldenCases {
		t.Run(tc.name, func(t *testing.T) {
			r := guard(t, append([]string{"check", "--format", "json"}, tc.args...)...)
			if r.code == 2 {
				t.Fatalf("exit 2: %s", r.stderr)
			}
			// The version is the build's (TestReportsNameTheVersion), not the findings'.
			r.stdout = reportVersion.ReplaceAllString(r.stdout, `  "version": "(guard version)"`)
			path := filepath.Join(root, "testdata", "golden", tc.name+".json")
			if *updateGolden {
				writeFile(t, path, r.stdout)
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run go test ./test/acceptance -run TestGoldenReports -update-golden)", err)
			}
			if r.stdout != string(want) {
				got, exp := strings.Split(r.stdout, "\n"), strings.Split(string(want), "\n")
				for i := 0; i < len(got) && i < len(exp); i++ {
					if got[i] != exp[i] {
						t.Fatalf("the JSON report differs from %s at line %d:\n got %s\nwant %s", path, i+1, got[i], exp[i])
					}
				}
				t.Fatalf("the JSON report differs from %s in length: %d lines, want %d", path, len(got), len(exp))
			}
		})
	}
}
