package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"testing"
	"testing/fstest"
)

func hash(data string) string {
	sum := sha256.Sum256([]byte(data))
	return hex.EncodeToString(sum[:])
}

func TestDigests(t *testing.T) {
	dir := t.TempDir()
	plan := filepath.Join(dir, "plan.json")
	if err := os.WriteFile(plan, []byte(`{"format_version":"1.2"}`), 0o644); err != nil {
		t.Fatal(err)
	}
	var f Files
	f.Read(plan, "plan.json")
	f.Read(plan, "plan.json") // read twice, listed once
	// A tree's digest is that of its sha256sum listing, sorted by name.
	lib := fstest.MapFS{"rego/b.rego": {Data: []byte("b")}, "a.yaml": {Data: []byte("a")}}
	if err := f.Tree("builtin", lib); err != nil {
		t.Fatal(err)
	}
	got, err := f.Digests()
	if err != nil {
		t.Fatal(err)
	}
	listing := hash("a") + "  a.yaml\n" + hash("b") + "  rego/b.rego\n"
	want := []File{{Path: "builtin", Bytes: 2, SHA256: hash(listing)}, {Path: "plan.json", Bytes: 24, SHA256: hash(`{"format_version":"1.2"}`)}}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
		t.Errorf("digests %+v, want %+v", got, want)
	}

	// A file gone since it was read cannot be evidence of the check.
	os.Remove(plan)
	if _, err := f.Digests(); err == nil {
		t.Error("a file gone since it was read: no error")
	}
	// Without a recorder, nothing is recorded and nothing fails.
	var none *Files
	none.Read(plan, "plan.json")
	if d, err := none.Digests(); d != nil || err != nil {
		t.Errorf("nil Files: %v %v", d, err)
	}
}
