package main

import (
	"fmt"
	"path/filepath"

	"github.com/spf13/cobra"
	"helm.sh/helm/v3/pkg/chartutil"

	"github.com/acme/guard/internal/config"
	"github.com/acme/guard/internal/diag"
	"github.com/acme/guard/internal/limits"
	"github.com/acme/guard/internal/parameters"
)

// readConfig reads the configuration file: --config, else .guard.yaml in the
// working directory or the repository's root; none is an empty one.
func readConfig(cmd *cobra.Command) (*config.Config, error) {
	explicit, _ := cmd.Flags().GetString("config")
	path, err := config.Find(explicit)
	if err != nil || path == "" {
		return &config.Config{}, err
	}
	return config.Load(path)
}

// setting is a flag's value when the flag is given, else the configuration
// file's when it has one, else the flag's default.
func setting[T any](cmd *cobra.Command, flag string, flagValue, configValue T, configHas bool) T {
	if cmd.Flags().Changed(flag) || !configHas {
		return flagValue
	}
	return configValue
}

// stringSetting and listSetting are setting for the two shapes flags have.
func stringSetting(cmd *cobra.Command, flag, flagValue, configValue string) string {
	return setting(cmd, flag, flagValue, configValue, configValue != "")
}

func listSetting(cmd *cobra.Command, flag string, flagValue, configValue []string) []string {
	return setting(cmd, flag, flagValue, configValue, len(configValue) > 0)
}

// parameterFlags are --profile and --parameters, for the commands that
// load policies.
type parameterFlags struct {
	profiles []string
	file     string
}

func (pf *parameterFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringArrayVar(&pf.profiles, "profile", nil, "enable a policy profile beside the default set, e.g. two-region-gke (repeatable; see guard policies)")
	cmd.Flags().StringVar(&pf.file, "parameters", "", "values file of the policy library's parameters (the values its chart guard-policies is installed with; see guard policies)")
}

// input is the parameters and profiles chosen: --parameters (a file) wins
// over the configuration file's parameters, --profile over its profiles.
func (pf *parameterFlags) input(cmd *cobra.Command, cfg *config.Config) (parameters.Input, error) {
	in := parameters.Input{Profiles: listSetting(cmd, "profile", pf.profiles, cfg.Profiles)}
	file := stringSetting(cmd, "parameters", pf.file, cfg.Parameters.File)
	if !cmd.Flags().Changed("parameters") && cfg.Parameters.Values != nil {
		in.Values, in.File = cfg.Parameters.Values, cfg.File
		return in, nil
	}
	if file == "" {
		return in, nil
	}
	data, err := limits.ReadFile(file, limits.Default, filepath.ToSlash)
	if err != nil {
		return in, err
	}
	vals, err := chartutil.ReadValues(data)
	if err != nil {
		return in, fmt.Errorf("%s: %s", file, diag.OneLine(err.Error()))
	}
	in.Values, in.File = vals.AsMap(), file
	return in, nil
}
