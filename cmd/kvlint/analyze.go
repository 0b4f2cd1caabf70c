package main

import (
	"cmp"
	"fmt"
	"go/token"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"
)

// A unit is one checker run: the packages of one target, analyzed.
type unit struct {
	pkgs  []*packages.Package
	graph *checker.Graph
}

// analyze loads and analyzes the packages of every target.
func analyze(patterns, buildFlags []string, selected []*analysis.Analyzer) ([]*unit, error) {
	targets, err := planTargets(patterns, buildFlags)
	if err != nil {
		return nil, err
	}
	var units []*unit
	for _, t := range targets {
		pkgs, err := load(t, buildFlags, selected)
		if err != nil {
			return nil, err
		}
		graph, err := checker.Analyze(guard(selected), forChecker(pkgs), nil)
		if err != nil {
			return nil, err
		}
		if err := firstActionError(graph, t); err != nil {
			return nil, err
		}
		units = append(units, &unit{pkgs: pkgs, graph: graph})
	}
	return units, nil
}

// firstActionError returns the first error of an analysis, dependencies
// first, so that the cause is reported rather than its "failed
// prerequisites" consequences.
func firstActionError(g *checker.Graph, t target) error {
	for act := range g.All() {
		if act.Err != nil {
			where := act.Package.PkgPath
			if t.name != "" {
				where += " (" + t.name + ")"
			}
			return fmt.Errorf("%s: %s: %v", where, act.Analyzer.Name, act.Err)
		}
	}
	return nil
}

// A finding is one diagnostic, with its positions resolved.
type finding struct {
	analyzer string
	posn     token.Position
	end      token.Position
	message  string
	url      string
	related  []related
	diag     analysis.Diagnostic
	fset     *token.FileSet
}

type related struct {
	posn, end token.Position
	message   string
}

// A findingKey identifies a finding across the test variants of a package,
// which share files and so repeat diagnostics.
type findingKey struct {
	posn, end token.Position
	analyzer  string
	message   string
}

func (f *finding) key() findingKey { return findingKey{f.posn, f.end, f.analyzer, f.message} }

func diagKey(act *checker.Action, d analysis.Diagnostic) findingKey {
	fset := act.Package.Fset
	return findingKey{fset.Position(d.Pos), fset.Position(cmp.Or(d.End, d.Pos)), act.Analyzer.Name, d.Message}
}

// collect returns the findings of the root actions of all units, sorted
// by position and without duplicates.
func collect(units []*unit) []*finding {
	var all []*finding
	seen := make(map[findingKey]bool)
	for _, u := range units {
		for _, act := range u.graph.Roots {
			fset := act.Package.Fset
			for _, d := range act.Diagnostics {
				k := diagKey(act, d)
				if seen[k] {
					continue
				}
				seen[k] = true
				f := &finding{
					analyzer: k.analyzer,
					posn:     k.posn,
					end:      k.end,
					message:  k.message,
					url:      d.URL,
					diag:     d,
					fset:     fset,
				}
				for _, r := range d.Related {
					f.related = append(f.related, related{fset.Position(r.Pos), fset.Position(cmp.Or(r.End, r.Pos)), r.Message})
				}
				all = append(all, f)
			}
		}
	}
	slices.SortFunc(all, func(a, b *finding) int {
		return cmp.Or(
			cmp.Compare(a.posn.Filename, b.posn.Filename),
			cmp.Compare(a.posn.Offset, b.posn.Offset),
			cmp.Compare(a.analyzer, b.analyzer),
			cmp.Compare(a.message, b.message),
		)
	})
	return all
}
