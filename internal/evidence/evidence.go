// Package evidence names the files a check read, each with its SHA-256
// digest, so that a report archived as audit evidence says which code its
// verdict is about (the HTML report lists them).
package evidence

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"io/fs"
	"os"
	"slices"
	"strings"
	"sync"
)

// File is one file read, as reports name it.
type File struct {
	// Path is the file as messages show it (relative to the working
	// directory where inside it); for the library built into guard,
	// "builtin".
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// Files records the files read; safe for concurrent use. A nil *Files
// records nothing: a check that writes no evidence pays nothing for it.
type Files struct {
	mu    sync.Mutex
	paths map[string]string // the path read -> as shown
	trees []File
}

// Read records that the file at path was read; shown is how reports name it.
func (f *Files) Read(path, shown string) {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.paths == nil {
		f.paths = map[string]string{}
	}
	f.paths[path] = shown
}

// Tree records a tree of files read as one (the library built into guard):
// its digest is that of its listing in sha256sum's format, one line per
// file, sorted by name ("DIGEST  NAME\n"), so that `sha256sum` over the
// files reproduces it.
func (f *Files) Tree(shown string, fsys fs.FS) error {
	if f == nil {
		return nil
	}
	var listing strings.Builder
	var size int64
	err := fs.WalkDir(fsys, ".", func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(data)
		size += int64(len(data))
		listing.WriteString(hex.EncodeToString(sum[:]) + "  " + p + "\n")
		return nil
	})
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(listing.String()))
	f.mu.Lock()
	defer f.mu.Unlock()
	f.trees = append(f.trees, File{Path: shown, Bytes: size, SHA256: hex.EncodeToString(sum[:])})
	return nil
}

// Digests are the files recorded, sorted by how they are shown, each
// digested as it is now. A file gone since it was read is an error: the
// evidence must name what was checked.
func (f *Files) Digests() ([]File, error) {
	if f == nil {
		return nil, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	out := slices.Clone(f.trees)
	for path, shown := range f.paths {
		d, err := digest(path)
		if err != nil {
			return nil, err
		}
		d.Path = shown
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b File) int { return strings.Compare(a.Path, b.Path) })
	return slices.CompactFunc(out, func(a, b File) bool { return a.Path == b.Path }), nil
}

func digest(path string) (File, error) {
	r, err := os.Open(path)
	if err != nil {
		return File{}, err
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	if err != nil {
		return File{}, err
	}
	return File{Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}
