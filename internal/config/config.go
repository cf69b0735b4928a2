// Package config reads guard's configuration file, .guard.yaml: the choices
// a repository makes once (policies, severity, format, paths to leave out,
// charts, values, variables) instead of repeating them as flags.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/limits"
)

// FileName is the configuration file guard looks for.
const FileName = ".guard.yaml"

// Config is the configuration file's content. Paths in it are relative to
// the directory that holds it; Load makes them relative to the working
// directory (or absolute when outside it).
type Config struct {
	// File is where the configuration was read ("" when there is none).
	File string `yaml:"-"`

	Policies     []string `yaml:"policies"`
	Severity     string   `yaml:"severity"`
	Format       string   `yaml:"format"`
	Output       string   `yaml:"output"`
	Exclude      []string `yaml:"exclude"`
	OnlyPolicies []string `yaml:"only-policies"`
	SkipPolicies []string `yaml:"skip-policies"`
	Charts       []string `yaml:"charts"`
	// ProviderSchemas are files of `terraform providers schema -json`.
	ProviderSchemas []string          `yaml:"provider-schemas"`
	Values          []string          `yaml:"values"`
	Set             []string          `yaml:"set"`
	Namespace       string            `yaml:"namespace"`
	Vars            map[string]any    `yaml:"vars"`
	VarFiles        []string          `yaml:"var-files"`
	Sources         []string          `yaml:"sources"`
	Data            []string          `yaml:"data"`
	Baseline        string            `yaml:"baseline"`
	Limits          map[string]string `yaml:"limits"`
	// Profiles are the policy profiles to enable beside the default set;
	// Parameters the policy library's parameters (its chart's values).
	Profiles   []string   `yaml:"profiles"`
	Parameters Parameters `yaml:"parameters"`
	// MaxSuppressionDays bounds an inline suppression's until (default
	// 365); NoInlineSuppression are the policies none may cover.
	MaxSuppressionDays  int      `yaml:"max-suppression-days"`
	NoInlineSuppression []string `yaml:"no-inline-suppression"`
}

// Parameters are given as a values file's path (the one the cluster's
// policy release is installed with), or inline as a mapping.
type Parameters struct {
	File   string
	Values map[string]any
}

// UnmarshalYAML reads a path or a mapping.
func (p *Parameters) UnmarshalYAML(n *yaml.Node) error {
	switch n.Kind {
	case yaml.ScalarNode:
		return n.Decode(&p.File)
	case yaml.MappingNode:
		return n.Decode(&p.Values)
	}
	return errors.New("want a path or a mapping")
}

// Keys are the configuration file's keys, in the order the README lists them.
func Keys() []string {
	t := reflect.TypeOf(Config{})
	var keys []string
	for i := 0; i < t.NumField(); i++ {
		if k := t.Field(i).Tag.Get("yaml"); k != "-" {
			keys = append(keys, k)
		}
	}
	return keys
}

// Find names the configuration file to read: explicit (--config) if given,
// else .guard.yaml in the working directory, else in the root of the
// repository (the nearest directory above holding .git). "" means none.
func Find(explicit string) (string, error) {
	if explicit != "" {
		if _, err := limits.Regular(explicit); err != nil {
			return "", fmt.Errorf("%s: %v", explicit, limits.PathCause(err))
		}
		return explicit, nil
	}
	if _, err := os.Stat(FileName); err == nil {
		return FileName, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", nil
	}
	for dir := wd; ; {
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			p := filepath.Join(dir, FileName)
			if _, err := os.Stat(p); err == nil {
				return relative(wd, p), nil
			}
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// Load reads the configuration file at path. An unknown key, a value of the
// wrong type or a YAML error is an error naming the file and line.
func Load(path string) (*Config, error) {
	data, err := limits.ReadFile(path, limits.Default, filepath.ToSlash)
	if err != nil {
		return nil, err
	}
	c := &Config{File: path}
	var doc yaml.Node
	if err := yaml.NewDecoder(bytes.NewReader(data)).Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return c, nil // an empty file: no settings
		}
		return nil, yamlError(path, err)
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		return nil, &diag.Error{File: path, Line: root.Line, Msg: "want a mapping of settings (keys: " + strings.Join(Keys(), ", ") + ")"}
	}
	fields := map[string]reflect.Value{}
	v := reflect.ValueOf(c).Elem()
	for i := 0; i < v.NumField(); i++ {
		if k := v.Type().Field(i).Tag.Get("yaml"); k != "-" {
			fields[k] = v.Field(i)
		}
	}
	seen := map[string]bool{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		key, val := root.Content[i], root.Content[i+1]
		f, ok := fields[key.Value]
		if !ok {
			return nil, &diag.Error{File: path, Line: key.Line, Msg: fmt.Sprintf("unknown key %q (keys: %s)", key.Value, strings.Join(Keys(), ", "))}
		}
		if seen[key.Value] {
			return nil, &diag.Error{File: path, Line: key.Line, Msg: fmt.Sprintf("key %q given twice", key.Value)}
		}
		seen[key.Value] = true
		if err := val.Decode(f.Addr().Interface()); err != nil {
			return nil, &diag.Error{File: path, Line: val.Line, Msg: fmt.Sprintf("%s: want %s", key.Value, describe(f.Type()))}
		}
	}
	c.resolvePaths(filepath.Dir(path))
	return c, nil
}

// VarFlags are the vars as --var values (name=value): a string as it is,
// anything else as JSON, which Terraform reads as an HCL expression.
func (c *Config) VarFlags() []string {
	names := make([]string, 0, len(c.Vars))
	for n := range c.Vars {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]string, 0, len(names))
	for _, n := range names {
		switch v := c.Vars[n].(type) {
		case string:
			out = append(out, n+"="+v)
		default:
			out = append(out, n+"="+jsonText(v))
		}
	}
	return out
}

// LimitFlags are the limits as --limit values (name=value), sorted.
func (c *Config) LimitFlags() []string {
	out := make([]string, 0, len(c.Limits))
	for n, v := range c.Limits {
		out = append(out, n+"="+v)
	}
	sort.Strings(out)
	return out
}

// resolvePaths makes the paths in the file relative to the working
// directory: they were written relative to the file.
func (c *Config) resolvePaths(dir string) {
	if dir == "." {
		return
	}
	wd, _ := os.Getwd()
	fix := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		abs, err := filepath.Abs(filepath.Join(dir, p))
		if err != nil {
			return p
		}
		return relative(wd, abs)
	}
	for _, list := range [][]string{c.Charts, c.ProviderSchemas, c.Values, c.VarFiles, c.Sources, c.Data} {
		for i := range list {
			list[i] = fix(list[i])
		}
	}
	for i, p := range c.Policies {
		if p != "builtin" {
			c.Policies[i] = fix(p)
		}
	}
	for i, g := range c.Exclude {
		if strings.Contains(g, "/") { // a bare name matches at any depth
			c.Exclude[i] = filepath.ToSlash(fix(g))
		}
	}
	c.Output, c.Baseline, c.Parameters.File = fix(c.Output), fix(c.Baseline), fix(c.Parameters.File)
}

// relative is p relative to wd when it is inside it, else p.
func relative(wd, p string) string {
	if r, err := filepath.Rel(wd, p); err == nil && !strings.HasPrefix(r, "..") {
		return r
	}
	return p
}

func describe(t reflect.Type) string {
	if t == reflect.TypeOf(Parameters{}) {
		return "a values file's path, or a mapping of parameter names to values"
	}
	switch t.Kind() {
	case reflect.Int:
		return "a whole number"
	case reflect.Slice:
		return "a list of strings"
	case reflect.Map:
		if t.Elem().Kind() == reflect.String {
			return "a mapping of names to strings"
		}
		return "a mapping of names to values"
	}
	return "a string"
}

var yamlLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError is a YAML syntax error, with the line yaml.v3 names.
func yamlError(path string, err error) error {
	msg := strings.TrimSpace(strings.ReplaceAll(err.Error(), "\n", " "))
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		line, _ := strconv.Atoi(m[1])
		return &diag.Error{File: path, Line: line, Msg: m[2]}
	}
	return &diag.Error{File: path, Msg: strings.TrimPrefix(msg, "yaml: ")}
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
