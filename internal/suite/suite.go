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
		a := find(all, name)
		if a == nil {
			return nil, unknown(name)
		}
		if isModel(all, a) {
			// Enabling it alone would run nothing and exit 0;
			// disabling it would not turn it off.
			return nil, fmt.Errorf("%s reports nothing itself: it is the model that the other analyzers share; enable or disable those", name)
		}
	}
	var selected []*analysis.Analyzer
	checks := 0
	for _, a := range all {
		if (len(enable) == 0 || slices.Contains(enable, a.Name)) && !slices.Contains(disable, a.Name) {
			selected = append(selected, a)
			if !isModel(all, a) {
				checks++
			}
		}
	}
	if checks == 0 {
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

// Checks returns the analyzers of selected that report findings: not the
// model the others share.
func Checks(all, selected []*analysis.Analyzer) []*analysis.Analyzer {
	return slices.DeleteFunc(slices.Clone(selected), func(a *analysis.Analyzer) bool { return isModel(all, a) })
}

// isModel reports whether a is the suite's shared model rather than a
// check: every other analyzer requires it. (An analyzer that only some
// require, for precedence between their findings, is a check.)
func isModel(all []*analysis.Analyzer, a *analysis.Analyzer) bool {
	for _, b := range all {
		if b != a && !slices.Contains(b.Requires, a) {
			return false
		}
	}
	return len(all) > 1
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
