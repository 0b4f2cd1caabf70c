package main

import (
	"fmt"
	"go/token"
	"io"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
)

// printText prints one finding per line as "file:line:col: analyzer:
// message", with related positions indented below it.
func printText(w io.Writer, findings []*finding) error {
	for _, f := range findings {
		if _, err := fmt.Fprintf(w, "%s: %s: %s\n", textPos(f.posn), f.analyzer, f.message); err != nil {
			return err
		}
		for _, r := range f.related {
			if _, err := fmt.Fprintf(w, "\t%s: %s\n", textPos(r.posn), r.message); err != nil {
				return err
			}
		}
	}
	return nil
}

func textPos(p token.Position) string {
	p.Filename = relPath(p.Filename)
	return p.String()
}

// printJSON prints the findings of all units in go vet's -json shape: one
// object mapping package ID to analyzer name to diagnostics. Findings in
// fixed (those --fix applied) are left out.
func printJSON(w io.Writer, units []*unit, fixed map[findingKey]bool) error {
	var merged checker.Graph
	for _, u := range units {
		for _, act := range u.graph.Roots {
			if len(fixed) > 0 {
				act.Diagnostics = slices.DeleteFunc(act.Diagnostics, func(d analysis.Diagnostic) bool {
					return fixed[diagKey(act, d)]
				})
			}
			merged.Roots = append(merged.Roots, act)
		}
	}
	return merged.PrintJSON(w)
}
