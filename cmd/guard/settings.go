package main

import (
	"github.com/spf13/cobra"

	"github.com/acme/guard/internal/config"
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
