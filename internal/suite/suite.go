// Package suite selects and configures the analyzers of the kvlint suite
// for its drivers (the kvlint command and the golangci-lint plugin), so
// that both accept the same names and report the same mistakes.
package suite

import (
	"errors"
	"fmt"
	"slices"

	"golang.org/x/tools/go/analysis"
)

// Select returns the analyzers of all named by enable (all of them if
// enable is empty) and not named by disable, in suite order. A name that
// is not in the suite is an error: a typo must not silently turn a check
// off.
func Select(all []*analysis.Analyzer, enable, disable []string) ([]*analysis.Analyzer, error) {
	for _, name := range slices.Concat(enable, disable) {
		if find(all, name) == nil {
			return nil, unknown(name)
		}
	}
	var selected []*analysis.Analyzer
	for _, a := range all {
		if (len(enable) == 0 || slices.Contains(enable, a.Name)) && !slices.Contains(disable, a.Name) {
			selected = append(selected, a)
		}
	}
	if len(selected) == 0 {
		return nil, errors.New("no analyzers left to run after enable and disable")
	}
	return selected, nil
}

// SetOption sets option of the named analyzer, as the flag
// -analyzer.option would.
func SetOption(all []*analysis.Analyzer, analyzer, option, value string) error {
	a := find(all, analyzer)
	if a == nil {
		return unknown(analyzer)
	}
	if a.Flags.Lookup(option) == nil {
		return fmt.Errorf("analyzer %s has no option %q", analyzer, option)
	}
	if err := a.Flags.Set(option, value); err != nil {
		return fmt.Errorf("%s.%s: %v", analyzer, option, err)
	}
	return nil
}

func find(all []*analysis.Analyzer, name string) *analysis.Analyzer {
	for _, a := range all {
		if a.Name == name {
			return a
		}
	}
	return nil
}

func unknown(name string) error {
	return fmt.Errorf("unknown analyzer %q", name)
}
