package main

import (
	"cmp"
	"go/token"
	"go/types"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
	"golang.org/x/tools/go/packages"

	"github.com/kvlint/kvlint/analyzers/kvapi"
)

// A unit is one checker run: the packages of one target, analyzed.
type unit struct {
	pkgs  []*packages.Package
	graph *checker.Graph
}

// analyze loads and analyzes the packages of every target. It returns
// what was analyzed, and a failure for each package, target or analysis
// that gave no result; those never cost the findings of the others. The
// error is for a run that could not start, or was interrupted.
func analyze(l *loader, patterns []string, selected []*analysis.Analyzer) ([]*unit, []failure, error) {
	targets, err := l.planTargets(patterns)
	if err != nil {
		return nil, nil, l.interrupted(err)
	}
	var units []*unit
	var failed []failure
	for _, t := range targets {
		ld, fs, err := l.load(t, selected)
		if err != nil {
			if l.ctx.Err() != nil {
				return nil, nil, l.interrupted(err)
			}
			failed = append(failed, failure{pkg: t.qualify(""), cause: err.Error()})
			continue
		}
		failed = append(failed, fs...)
		if len(ld.roots) == 0 {
			continue
		}
		graph, contained, err := analyzePorts(selected, ld)
		if err != nil {
			return nil, nil, err
		}
		for _, c := range contained.list {
			failed = append(failed, failure{pkg: t.qualify(c.pkg), cause: "internal error: " + c.err.Error(), stack: c.stack})
		}
		failed = append(failed, actionFailures(graph, t)...)
		units = append(units, &unit{pkgs: ld.roots, graph: graph})
	}
	return units, failed, nil
}

// unmatchedInterfaces returns a failure for each package that
// -kvapi.interfaces names and the program does not contain: its entries
// match nothing, and a typo in a path must not pass for a clean run.
// (Entries for a package that is there are checked against it by kvapi.)
func unmatchedInterfaces(units []*unit) []failure {
	inProgram := make(map[string]bool)
	for _, u := range units {
		for p := range packages.Postorder(u.pkgs) {
			inProgram[p.PkgPath] = true
		}
	}
	var failed []failure
	for _, path := range interfaces().Packages() {
		if !inProgram[path] {
			failed = append(failed, failure{cause: "-kvapi.interfaces names package " + path + ", which is not in the program: its entries match nothing"})
		}
	}
	return failed
}

// maxPortRounds bounds the analyses of one target: each may find storage
// ports whose implementations wrap the ports found by the one before.
const maxPortRounds = 4

// analyzePorts analyzes ld, and again as long as that finds interfaces
// whose implementations in the program wrap KV (see kvapi.Interfaces.Discover):
// the second analysis sees their calls as KV operations.
func analyzePorts(selected []*analysis.Analyzer, ld *loaded) (*checker.Graph, *panics, error) {
	ifaces := interfaces()
	ifaces.Forget()
	user := userPackages(ld.roots)
	for round := 1; ; round++ {
		contained := new(panics)
		graph, err := checker.Analyze(guard(selected, contained), forChecker(ld), nil)
		if err != nil || round == maxPortRounds || !ifaces.Discover(user, wrapperFacts(graph)) {
			return graph, contained, err
		}
	}
}

// interfaces returns the kvapi analyzer's configuration of interfaces.
func interfaces() *kvapi.Interfaces {
	return kvapi.Analyzer.Flags.Lookup("interfaces").Value.(*kvapi.Interfaces)
}

// userPackages returns the packages of pkgs and their dependencies that
// belong to the main module(s): the user's, where storage ports are
// declared. An interface of another module (caddy.Provisioner, io.Writer)
// that a KV adapter happens to implement is no port, and taking it for one
// would make every importer of that module a user of KV.
func userPackages(pkgs []*packages.Package) []*types.Package {
	var user []*types.Package
	for p := range packages.Postorder(pkgs) {
		if p.Types != nil && p.Module != nil && p.Module.Main && !kvapi.InSDK(p.PkgPath, p.Module.Path) {
			user = append(user, p.Types)
		}
	}
	return user
}

// wrapperFacts returns the object facts of every analysis: kvapi's
// wrapper facts, and the analyzers' marks of the functions they reported in.
func wrapperFacts(g *checker.Graph) []analysis.ObjectFact {
	var facts []analysis.ObjectFact
	for act := range g.All() {
		if act.Err == nil {
			facts = append(facts, act.AllObjectFacts()...)
		}
	}
	return facts
}

// actionFailures returns a failure for each analysis that returned an
// error, once per package and message (test variants repeat them). An
// analysis that failed because another did is left out: that other one
// is the cause, and has its own line.
func actionFailures(g *checker.Graph, t target) []failure {
	var failed []failure
	seen := make(map[string]bool)
	for act := range g.All() {
		if act.Err == nil || strings.HasPrefix(act.Err.Error(), "failed prerequisites") {
			continue
		}
		f := failure{pkg: t.qualify(act.Package.PkgPath), cause: act.Analyzer.Name + ": " + act.Err.Error()}
		if !seen[f.String()] {
			seen[f.String()] = true
			failed = append(failed, f)
		}
	}
	return failed
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
