// Package plugin is kvlint's golangci-lint v2 module plugin.
//
// Build a golangci-lint that includes it with golangci-lint custom and a
// .custom-gcl.yml such as
//
//	version: v2.15.0
//	plugins:
//	  - module: github.com/kvlint/kvlint
//	    import: github.com/kvlint/kvlint/plugin
//	    version: v0.1.0
//
// then enable it in .golangci.yml:
//
//	version: "2"
//	linters:
//	  enable:
//	    - kvlint
//	  settings:
//	    custom:
//	      kvlint:
//	        type: module
//	        description: finds misuse of Cloudflare Workers KV
//	        settings:
//	          disable: [kvttl]
//	          options:
//	            kvttl:
//	              min: 120
//
// The settings are described by [Settings]. Options are the analyzers'
// flags, the same as kvlint --NAME.OPTION and go vet -NAME.OPTION, and
// like them they configure the analyzers of the whole process: two
// golangci-lint configurations cannot give kvlint different options in
// one run.
//
// golangci-lint builds for the host, like go vet: run it with GOOS=js
// GOARCH=wasm on packages that use github.com/syumai/workers.
//
// Keep every finding with issues.uniq-by-line: false (two analyzers may
// report on one line), max-issues-per-linter: 0 and max-same-issues: 0.
package plugin

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/golangci/plugin-module-register/register"
	"golang.org/x/tools/go/analysis"

	"github.com/kvlint/kvlint/analyzers"
	"github.com/kvlint/kvlint/internal/suite"
)

func init() {
	register.Plugin("kvlint", New)
}

// Settings is the plugin's configuration: the settings of the custom
// linter kvlint in .golangci.yml. Unknown fields are errors.
type Settings struct {
	// Enable, when not empty, runs only these analyzers.
	Enable []string `json:"enable"`
	// Disable turns these analyzers off.
	Disable []string `json:"disable"`
	// Options sets analyzer options by analyzer and option name, such as
	// {"kvttl": {"min": 120}}. Values are numbers, booleans, strings, or
	// lists of those (joined with commas).
	Options map[string]map[string]any `json:"options"`
}

// New is the plugin's constructor, called by golangci-lint with the raw
// settings. It validates them and applies the options.
func New(conf any) (register.LinterPlugin, error) {
	s, err := register.DecodeSettings[Settings](conf)
	if err != nil {
		return nil, fmt.Errorf("kvlint: %w", err)
	}
	all := analyzers.All()
	selected, err := suite.Select(all, s.Enable, s.Disable)
	if err != nil {
		return nil, fmt.Errorf("kvlint: %w", err)
	}
	for _, name := range slices.Sorted(maps.Keys(s.Options)) { // sorted: report errors deterministically
		for _, option := range slices.Sorted(maps.Keys(s.Options[name])) {
			value, err := flagValue(s.Options[name][option])
			if err != nil {
				return nil, fmt.Errorf("kvlint: %s.%s: %w", name, option, err)
			}
			if err := suite.SetOption(all, name, option, value); err != nil {
				return nil, fmt.Errorf("kvlint: %w", err)
			}
		}
	}
	var checks []*analysis.Analyzer
	for _, a := range suite.Checks(all, selected) {
		checks = append(checks, withoutRelated(a))
	}
	return &plugin{analyzers: checks}, nil
}

type plugin struct {
	analyzers []*analysis.Analyzer
}

// withoutRelated returns a copy of a whose diagnostics carry no related
// locations: golangci-lint makes each one an issue of its own, so that a
// finding would count as several. (kvapi, the model the others require,
// runs as their prerequisite and needs no copy.)
func withoutRelated(a *analysis.Analyzer) *analysis.Analyzer {
	c := *a
	c.Run = func(pass *analysis.Pass) (any, error) {
		p := *pass
		p.Report = func(d analysis.Diagnostic) {
			d.Related = nil
			pass.Report(d)
		}
		return a.Run(&p)
	}
	return &c
}

func (p *plugin) BuildAnalyzers() ([]*analysis.Analyzer, error) { return p.analyzers, nil }

// GetLoadMode asks for type information: the analyzers resolve KV calls
// through types and build SSA.
func (p *plugin) GetLoadMode() string { return register.LoadModeTypesInfo }

// flagValue renders a decoded YAML/JSON value as a flag's text.
func flagValue(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case bool:
		return strconv.FormatBool(v), nil
	case float64: // all JSON numbers
		return strconv.FormatFloat(v, 'f', -1, 64), nil
	case []any:
		parts := make([]string, len(v))
		for i, elem := range v {
			if _, isList := elem.([]any); isList {
				return "", fmt.Errorf("nested lists are not supported")
			}
			s, err := flagValue(elem)
			if err != nil {
				return "", err
			}
			parts[i] = s
		}
		return strings.Join(parts, ","), nil
	}
	return "", fmt.Errorf("unsupported value %v (%T)", v, v)
}
