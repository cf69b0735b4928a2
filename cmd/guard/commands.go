package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"helm.sh/helm/v3/pkg/helmpath"

	"github.com/acme/guard/internal/check"
	"github.com/acme/guard/internal/config"
	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/finding"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/loader"
	"github.com/acme/guard/internal/parameters"
	"github.com/acme/guard/internal/policytest"
	"github.com/acme/guard/internal/redact"
	"github.com/acme/guard/internal/rego"
	"github.com/acme/guard/internal/report"
	"github.com/acme/guard/internal/suppress"
)

// version, commit and date are set by release builds (-ldflags "-X
// main.version=v1.2.3 -X main.commit=... -X main.date=..."); a plain `go
// build` in a checkout takes the commit and its time from the build info.
var version, commit, date = "dev", "", ""

// buildInfo fills what the linker did not set from the Go build info: the
// module's version (go install), the VCS revision and time (go build).
func buildInfo() (v, rev, when string) {
	v, rev, when = version, commit, date
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return v, rev, when
	}
	if v == "dev" && info.Main.Version != "" && info.Main.Version != "(devel)" {
		v = info.Main.Version
	}
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			if rev == "" {
				rev = s.Value
			}
		case "vcs.time":
			if when == "" {
				when = s.Value
			}
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if modified && commit == "" {
		rev += " (with uncommitted changes)"
	}
	return v, rev, when
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:           "guard",
		Short:         "Policy-as-code checks for Terraform plans and HCL, Helm charts and Kubernetes manifests",
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.PersistentFlags().String("config", "", "configuration file (default: .guard.yaml in the working directory or the repository's root)")
	root.AddCommand(newCheckCmd(), newTestCmd(), newInspectCmd(), newPoliciesCmd(), newVersionCmd())
	return root
}

// loaderFlags are the flags that change what inputs evaluate to, and which
// policy directories a walk leaves out.
type loaderFlags struct {
	vars, varFiles, values, sets, sources, limits, exclude, charts, schemas, policies []string
	namespace                                                                         string
}

func (lf *loaderFlags) register(cmd *cobra.Command) {
	policyFlag(cmd, &lf.policies)
	cmd.Flags().StringArrayVar(&lf.exclude, "exclude", nil, "leave out files and directories a directory walk meets: a glob (** for any depth) of paths relative to the working directory, or of names when it has no slash (repeatable)")
	cmd.Flags().StringArrayVar(&lf.charts, "charts", nil, "directory of chart archives (NAME-VERSION.tgz) for helm_releases whose chart comes from a repository; Helm's repository cache is searched after (repeatable)")
	cmd.Flags().StringArrayVar(&lf.schemas, "provider-schema", nil, "the output of `terraform providers schema -json` for your providers: it wins over the built-in schemas for its providers, and an argument it does not know is an error (repeatable)")
	cmd.Flags().StringArrayVar(&lf.vars, "var", nil, "set a root variable of HCL stacks: name=value (repeatable)")
	cmd.Flags().StringArrayVar(&lf.varFiles, "var-file", nil, "read root variables of HCL stacks from a .tfvars file (repeatable)")
	cmd.Flags().StringArrayVar(&lf.values, "values", nil, "values file for charts checked directly (repeatable, later wins)")
	cmd.Flags().StringArrayVar(&lf.sets, "set", nil, "a value for charts checked directly, as helm --set: key=value (repeatable, after --values)")
	cmd.Flags().StringVar(&lf.namespace, "namespace", "", "release namespace of charts checked directly, as helm template --namespace (default: the chart's name; guard cannot know where it will be installed)")
	cmd.Flags().StringArrayVar(&lf.sources, "source", nil, "the Terraform sources of plans, for .tf locations and local chart paths; repeatable: each plan is matched to the directory that declares its resources (default: the plan's own directory)")
	cmd.Flags().StringArrayVar(&lf.limits, "limit", nil, "raise a limit: name=value, names: "+strings.Join(limits.Names(), ", ")+" (repeatable; see the README)")
}

// options are the loader's options: the flags over the configuration file.
func (lf *loaderFlags) options(cmd *cobra.Command, cfg *config.Config) (loader.Options, error) {
	lim := limits.Default
	for _, kv := range listSetting(cmd, "limit", lf.limits, cfg.LimitFlags()) {
		if err := lim.Set(kv); err != nil {
			return loader.Options{}, usageError(cmd, err)
		}
	}
	watchTime(cmd, lim)
	return loader.Options{
		Vars:            listSetting(cmd, "var", lf.vars, cfg.VarFlags()),
		VarFiles:        listSetting(cmd, "var-file", lf.varFiles, cfg.VarFiles),
		Values:          listSetting(cmd, "values", lf.values, cfg.Values),
		Sets:            listSetting(cmd, "set", lf.sets, cfg.Set),
		Namespace:       stringSetting(cmd, "namespace", lf.namespace, cfg.Namespace),
		Sources:         listSetting(cmd, "source", lf.sources, cfg.Sources),
		Exclude:         listSetting(cmd, "exclude", lf.exclude, cfg.Exclude),
		Charts:          listSetting(cmd, "charts", lf.charts, cfg.Charts),
		ProviderSchemas: listSetting(cmd, "provider-schema", lf.schemas, cfg.ProviderSchemas),
		Limits:          lim,
		HelmCache:       helmpath.CachePath("repository"),
		Reading:         memoryTuner(),
	}, nil
}

// policyDirs are the policy directories to load: --policy, else the
// configuration file's, else the built-in library.
func (lf *loaderFlags) policyDirs(cmd *cobra.Command, cfg *config.Config) []string {
	return listSetting(cmd, "policy", lf.policies, cfg.Policies)
}

func newCheckCmd() *cobra.Command {
	var (
		lf       loaderFlags
		pf       parameterFlags
		format   string
		output   string
		severity string
		only     []string
		skip     []string
		data     []string
		baseline string
	)
	cmd := &cobra.Command{
		Use:   "check [PATH...]",
		Short: "Check plans, Terraform directories, charts and manifests against the policies",
		Long: `Check loads every PATH (a plan JSON, a Terraform directory, a chart directory,
a YAML file, or a directory holding several of these; default: the current
directory), evaluates the policies (default: the library built into guard),
and reports the findings. Settings come from the flags, then from the
configuration file (.guard.yaml; see the README), then from the defaults.

Exit codes: 0 no finding at or above --severity, 1 findings, 2 error.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := readConfig(cmd)
			if err != nil {
				return err
			}
			severity = stringSetting(cmd, "severity", severity, cfg.Severity)
			format = stringSetting(cmd, "format", format, cfg.Format)
			output = stringSetting(cmd, "output", output, cfg.Output)
			baseline = stringSetting(cmd, "baseline", baseline, cfg.Baseline)
			threshold, err := finding.ParseSeverity(severity)
			if err != nil {
				return usageError(cmd, err)
			}
			if err := checkFormat(cmd, format, report.Formats()); err != nil {
				return err
			}
			opts, err := lf.options(cmd, cfg)
			if err != nil {
				return err
			}
			params, err := pf.input(cmd, cfg)
			if err != nil {
				return err
			}
			v, _, _ := buildInfo() // every report names guard as guard version does
			res, err := check.Run(cmd.Context(), check.Options{
				Paths: args, PolicyDirs: lf.policyDirs(cmd, cfg), Threshold: threshold, Loader: opts, Version: v,
				Only: listSetting(cmd, "only-policy", only, cfg.OnlyPolicies), Skip: listSetting(cmd, "skip-policy", skip, cfg.SkipPolicies),
				Engines: check.EngineOptions{Rego: rego.Options{Data: listSetting(cmd, "data", data, cfg.Data), Trace: policyTrace()}, Parameters: params}, Baseline: baseline,
				Suppress: suppress.Options{MaxDays: cfg.MaxSuppressionDays, Forbidden: cfg.NoInlineSuppression},
				// The HTML report is audit evidence: it names each file read with its digest.
				Audit: format == "html", Settings: []string{cfg.File},
			})
			if err != nil {
				return err
			}
			for _, n := range res.Notes {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: %s\n", n)
			}
			if err := writeOutput(cmd, output, func(w io.Writer, color bool) error {
				return report.Write(w, format, res.Report, report.Options{Color: color})
			}); err != nil {
				return err
			}
			if err := unreadError(cmd, res.Report.Unread); err != nil {
				return err
			}
			if res.Report.Failed() {
				return exitError{code: 1}
			}
			return nil
		},
	}
	lf.register(cmd)
	pf.register(cmd)
	formatFlag(cmd, &format, report.Formats())
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the report to FILE instead of standard output")
	cmd.Flags().StringVar(&severity, "severity", "LOW", "lowest severity that fails the run: LOW, MEDIUM, HIGH or CRITICAL")
	cmd.Flags().StringArrayVar(&only, "only-policy", nil, "run only the policy with this id (repeatable)")
	cmd.Flags().StringArrayVar(&skip, "skip-policy", nil, "do not run the policy with this id (repeatable)")
	cmd.Flags().StringArrayVar(&data, "data", nil, "JSON or YAML document loaded under data. for Rego policies, as conftest's --data (repeatable)")
	cmd.Flags().StringVar(&baseline, "baseline", "", "an earlier JSON report: findings already in it are reported as baseline and do not fail the run")
	return cmd
}

// formatFlag registers --format: one of names, text by default.
func formatFlag(cmd *cobra.Command, format *string, names []string) {
	cmd.Flags().StringVarP(format, "format", "f", "text", "output format: "+strings.Join(names, ", "))
}

// checkFormat refuses a format (from --format or the configuration file)
// that is not one of names.
func checkFormat(cmd *cobra.Command, format string, names []string) error {
	if !slices.Contains(names, format) {
		return usageError(cmd, fmt.Errorf("--format %q: want one of %s", format, strings.Join(names, ", ")))
	}
	return nil
}

// policyFlag registers --policy.
func policyFlag(cmd *cobra.Command, dirs *[]string) {
	cmd.Flags().StringArrayVarP(dirs, "policy", "p", nil, "policy directory, or builtin for the library built into guard (repeatable; default: builtin)")
}

// usageError is a misused flag or argument: exit 2, pointing at the
// command's help.
func usageError(cmd *cobra.Command, err error) error {
	return fmt.Errorf("%w (see %s --help)", err, cmd.CommandPath())
}

// writeOutput writes to --output or stdout; colour only on a terminal, never
// when NO_COLOR is set, never into a file.
func writeOutput(cmd *cobra.Command, output string, write func(io.Writer, bool) error) error {
	if output != "" {
		f, err := os.Create(output)
		if err != nil {
			return fmt.Errorf("%s: %w", output, err)
		}
		bw := bufio.NewWriter(f)
		if err := write(bw, false); err != nil {
			f.Close()
			return err
		}
		if err := bw.Flush(); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	}
	out := cmd.OutOrStdout()
	bw := bufio.NewWriter(out)
	if err := write(bw, isTerminal(out) && os.Getenv("NO_COLOR") == ""); err != nil {
		return err
	}
	return bw.Flush()
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newInspectCmd() *cobra.Command {
	var lf loaderFlags
	cmd := &cobra.Command{
		Use:   "inspect [PATH...]",
		Short: "Print the normalized input as JSON: exactly what a policy sees as `input`",
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := readConfig(cmd)
			if err != nil {
				return err
			}
			opts, err := lf.options(cmd, cfg)
			if err != nil {
				return err
			}
			in, notes, unread, err := check.LoadInput(cmd.Context(), args, opts, lf.policyDirs(cmd, cfg))
			if err != nil {
				return err
			}
			red := redact.New(in)
			red.Input(in)
			for _, n := range notes {
				fmt.Fprintf(cmd.ErrOrStderr(), "note: %s\n", red.String(n))
			}
			enc := json.NewEncoder(cmd.OutOrStdout())
			enc.SetIndent("", "  ")
			if err := enc.Encode(in); err != nil {
				return err
			}
			return unreadError(cmd, unread)
		},
	}
	lf.register(cmd)
	return cmd
}

// unreadError ends a run some of whose inputs could not be read: each is
// named on standard error, as every error is, and the exit code is 2 after
// the report of the rest.
func unreadError(cmd *cobra.Command, unread []string) error {
	for _, u := range unread {
		fmt.Fprintf(cmd.ErrOrStderr(), "guard: %s\n", diag.OneLine(u))
	}
	if len(unread) > 0 {
		return exitError{code: 2}
	}
	return nil
}

func newPoliciesCmd() *cobra.Command {
	var policyDirs []string
	var pf parameterFlags
	var format string
	cmd := &cobra.Command{
		Use:   "policies",
		Short: "List the loaded policies: id, engine, severity, profile, parameters, title, controls",
		Long: `Policies lists the policies a check would run with the same settings: those
of the default set and of the enabled profiles (--profile, .guard.yaml
profiles), with the parameters each reads. --format json gives each
parameter's value in effect, its default, and whether it was set.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := readConfig(cmd)
			if err != nil {
				return err
			}
			if err := checkFormat(cmd, format, []string{"json", "text"}); err != nil {
				return err
			}
			params, err := pf.input(cmd, cfg)
			if err != nil {
				return err
			}
			engine, err := check.LoadPolicies(cmd.Context(), listSetting(cmd, "policy", policyDirs, cfg.Policies), check.EngineOptions{Parameters: params})
			if err != nil {
				return err
			}
			ps := engine.List()
			if format == "json" {
				type listed struct {
					finding.Policy
					Parameters []parameters.Parameter `json:"parameters,omitempty"`
				}
				out := make([]listed, len(ps))
				for i, p := range ps {
					out[i] = listed{Policy: p, Parameters: engine.Parameters().Describe(p.Parameters)}
				}
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(out)
			}
			tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tENGINE\tSEVERITY\tPROFILE\tPARAMETERS\tTITLE\tCONTROLS")
			for _, p := range ps {
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", p.ID, p.Engine, p.Severity, dash(p.Profile), dash(strings.Join(p.Parameters, ", ")), p.Title, strings.Join(p.Controls, ", "))
			}
			return tw.Flush()
		},
	}
	policyFlag(cmd, &policyDirs)
	pf.register(cmd)
	formatFlag(cmd, &format, []string{"json", "text"})
	return cmd
}

// dash shows an empty column as "-".
func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func newVersionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print guard's version and the versions of its engines",
		Run: func(cmd *cobra.Command, args []string) {
			v, rev, when := buildInfo()
			fmt.Fprintf(cmd.OutOrStdout(), "guard %s\n", v)
			if rev == "" {
				rev = "unknown (built outside a checkout)"
			}
			if when == "" {
				when = "unknown"
			}
			fmt.Fprintf(cmd.OutOrStdout(), "  commit %s\n  built %s\n", rev, when)
			if info, ok := debug.ReadBuildInfo(); ok {
				for _, dep := range info.Deps {
					switch dep.Path {
					case "github.com/open-policy-agent/opa", "helm.sh/helm/v3", "github.com/kyverno/kyverno", "github.com/hashicorp/hcl/v2", "github.com/hashicorp/terraform-json":
						fmt.Fprintf(cmd.OutOrStdout(), "  %s %s\n", dep.Path, dep.Version)
					}
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "  %s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
		},
	}
}

func newTestCmd() *cobra.Command {
	var format, output string
	var strict bool
	cmd := &cobra.Command{
		Use:   "test [DIR|SUITE...]",
		Short: "Run the policies' tests: Rego unit tests and Kyverno test suites (kyverno-test.yaml)",
		Long: `Test runs the Rego unit tests (test_ rules in *_test.rego, with OPA's tester) and
the Kyverno test suites (kyverno-test.yaml, the format kyverno test reads, with
guard's Kyverno engine) under each DIR (default: policies). A file argument is
one Kyverno test suite, whatever its name.

Exit codes: 0 all passed, 1 a test failed, 2 a test or policy is broken.`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				args = []string{"policies"}
			}
			for _, d := range args {
				if st, err := os.Stat(d); err != nil || !st.IsDir() && !st.Mode().IsRegular() {
					return fmt.Errorf("%s: not a directory or a suite file", d)
				}
			}
			if err := checkFormat(cmd, format, policytest.Formats()); err != nil {
				return err
			}
			cases, err := policytest.Run(cmd.Context(), args, time.Now(), strict)
			if err != nil {
				return err
			}
			if len(cases) == 0 {
				return fmt.Errorf("no tests found in %s", strings.Join(args, ", "))
			}
			if err := writeOutput(cmd, output, func(w io.Writer, _ bool) error {
				return policytest.Write(w, format, cases)
			}); err != nil {
				return err
			}
			if policytest.Failed(cases) > 0 {
				return exitError{code: 1}
			}
			return nil
		},
	}
	formatFlag(cmd, &format, policytest.Formats())
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the results to FILE instead of standard output")
	cmd.Flags().BoolVar(&strict, "strict", false, "fail the results of policies guard does not evaluate (mutate, generate, image verification) instead of skipping them")
	return cmd
}
