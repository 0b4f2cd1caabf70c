package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"

	"github.com/kvlint/kvlint/analyzers/kvapi"
)

// load loads the packages of t, with their tests as go vet does, ready for
// checker.Analyze (see forChecker). It fails if the patterns match nothing
// or any package in the import graph does not load or type-check:
// findings computed on a broken package would be unreliable, so kvlint
// refuses to guess.
//
// Analyzers with facts run on dependencies too, but facts come only from
// packages that use KV: the model skips every other package at once. So
// the dependencies that use KV are loaded from source beside the roots,
// and the rest of the graph (the standard library, the SDKs) from export
// data, which the build cache usually has, rather than type-checked from
// source on every run.
func load(t target, buildFlags []string, analyzers []*analysis.Analyzer) ([]*packages.Package, error) {
	patterns := t.patterns
	var extra map[string]bool // dependencies loaded from source for their facts
	if needFacts(analyzers) {
		var err error
		if extra, err = kvDependencies(t, buildFlags); err != nil {
			return nil, err
		}
		patterns = slices.Concat(patterns, slices.Sorted(maps.Keys(extra)))
	}
	cfg := &packages.Config{
		Mode:       packages.LoadSyntax | packages.NeedModule,
		Env:        t.env,
		BuildFlags: buildFlags,
		Tests:      true,
	}
	pkgs, err := packages.Load(cfg, patterns...)
	if err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("%s matched no packages", strings.Join(t.patterns, " "))
	}
	if err := firstError(pkgs, t); err != nil {
		return nil, err
	}
	// The extra packages and their tests are no roots: nobody asked.
	return slices.DeleteFunc(pkgs, func(p *packages.Package) bool {
		path := strings.TrimSuffix(strings.TrimSuffix(p.PkgPath, ".test"), "_test")
		return extra[path]
	}), nil
}

// kvDependencies lists the import graph of t's roots (names and imports
// only) and returns the dependencies, outside the roots, that use KV: that
// import an SDK or a configured interface, directly or not. The SDKs
// themselves are not among them: the model does not analyse them.
func kvDependencies(t target, buildFlags []string) (map[string]bool, error) {
	cfg := &packages.Config{
		Mode:       packages.NeedName | packages.NeedImports | packages.NeedDeps,
		Env:        t.env,
		BuildFlags: buildFlags,
		Tests:      true,
	}
	roots, err := packages.Load(cfg, t.patterns...)
	if err != nil {
		return nil, err
	}
	ifaces := interfacePackages()
	uses := make(map[*packages.Package]bool)
	var usesKV func(p *packages.Package) bool
	usesKV = func(p *packages.Package) bool {
		if done, ok := uses[p]; ok {
			return done
		}
		uses[p] = false // (no import cycles, but be safe)
		result := isSDK(p.PkgPath) || ifaces[p.PkgPath]
		for _, imp := range p.Imports {
			result = usesKV(imp) || result
		}
		uses[p] = result
		return result
	}
	isRoot := make(map[string]bool)
	for _, r := range roots {
		isRoot[r.PkgPath] = true
		usesKV(r)
	}
	extra := make(map[string]bool)
	for p, u := range uses {
		if u && !isRoot[p.PkgPath] && !isSDK(p.PkgPath) && !ifaces[p.PkgPath] {
			extra[p.PkgPath] = true
		}
	}
	return extra, nil
}

// isSDK reports whether path is in a KV SDK's module.
func isSDK(path string) bool {
	return strings.HasPrefix(path, "github.com/syumai/workers") || strings.HasPrefix(path, "github.com/cloudflare/cloudflare-go")
}

// interfacePackages returns the packages of the KV-shaped interfaces that
// -kvapi.interfaces names.
func interfacePackages() map[string]bool {
	pkgs := make(map[string]bool)
	if ifaces, ok := kvapi.Analyzer.Flags.Lookup("interfaces").Value.(*kvapi.Interfaces); ok {
		for _, p := range ifaces.Packages() {
			pkgs[p] = true
		}
	}
	return pkgs
}

// forChecker returns copies of pkgs whose imports lead only to packages
// loaded from source, the ones that analyzers with facts run on; the
// originals keep every import, for type-checking fixes.
func forChecker(pkgs []*packages.Package) []*packages.Package {
	copies := make(map[*packages.Package]*packages.Package)
	var cp func(p *packages.Package) *packages.Package
	cp = func(p *packages.Package) *packages.Package {
		if c, ok := copies[p]; ok {
			return c
		}
		c := *p
		copies[p] = &c
		c.Imports = make(map[string]*packages.Package)
		for path, imp := range p.Imports {
			if imp.Syntax != nil && imp.TypesInfo != nil {
				c.Imports[path] = cp(imp)
			}
		}
		return &c
	}
	out := make([]*packages.Package, len(pkgs))
	for i, p := range pkgs {
		out[i] = cp(p)
	}
	return out
}

// firstError returns the first load error in the import graph of pkgs,
// dependencies first since an error there usually causes the others, as
// "PKG: KIND error: FILE:LINE:COL: MESSAGE (and N more errors)".
func firstError(pkgs []*packages.Package, t target) error {
	var first *packages.Error
	var firstPkg *packages.Package
	seen := make(map[string]bool) // test variants repeat their package's errors
	for p := range packages.Postorder(pkgs) {
		for _, e := range ownErrors(p.Errors) {
			if seen[e.Error()] {
				continue
			}
			seen[e.Error()] = true
			if first == nil {
				first, firstPkg = &e, p
			}
		}
	}
	if first == nil {
		return nil
	}

	var b strings.Builder
	b.WriteString(firstPkg.PkgPath)
	if t.name != "" {
		fmt.Fprintf(&b, " (%s)", t.name)
	}
	switch first.Kind {
	case packages.ParseError:
		b.WriteString(": syntax error")
	case packages.TypeError:
		b.WriteString(": type error")
	}
	if first.Pos != "" && first.Pos != "-" {
		fmt.Fprintf(&b, ": %s", relPos(first.Pos))
	}
	fmt.Fprintf(&b, ": %s", first.Msg)
	if n := len(seen) - 1; n > 0 {
		fmt.Fprintf(&b, " (and %d more %s)", n, plural(n, "error", "errors"))
	}
	return fmt.Errorf("%s", b.String())
}

// ownErrors drops go list's copy of the compiler's output ("# pkg\n
// file:line:col: msg"), which repeats the syntax and type errors that
// go/packages reports itself, more clearly.
func ownErrors(errs []packages.Error) []packages.Error {
	isOwn := func(e packages.Error) bool { return e.Kind == packages.ParseError || e.Kind == packages.TypeError }
	if !slices.ContainsFunc(errs, isOwn) {
		return errs
	}
	return slices.DeleteFunc(slices.Clone(errs), func(e packages.Error) bool {
		return e.Kind == packages.ListError && strings.HasPrefix(e.Msg, "# ")
	})
}

// relPos shortens the file name in a "file:line:col" or "file:line"
// position. The name may itself contain colons (C:\ on Windows), so only
// numeric fields are split off the end.
func relPos(pos string) string {
	file, suffix := pos, ""
	for range 2 {
		i := strings.LastIndexByte(file, ':')
		if i < 0 || !isDigits(file[i+1:]) {
			break
		}
		file, suffix = file[:i], file[i:]+suffix
	}
	return relPath(file) + suffix
}

func isDigits(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

// relPath returns filename relative to the current directory when it is
// inside it, and unchanged otherwise.
func relPath(filename string) string {
	if !filepath.IsAbs(filename) {
		return filename
	}
	dir, err := os.Getwd()
	if err != nil {
		return filename
	}
	rel, err := filepath.Rel(dir, filename)
	if err != nil || !filepath.IsLocal(rel) {
		return filename
	}
	return rel
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// needFacts reports whether any of analyzers, or any analyzer they
// require, uses facts.
func needFacts(analyzers []*analysis.Analyzer) bool {
	seen := make(map[*analysis.Analyzer]bool)
	var visit func([]*analysis.Analyzer) bool
	visit = func(as []*analysis.Analyzer) bool {
		for _, a := range as {
			if seen[a] {
				continue
			}
			seen[a] = true
			if len(a.FactTypes) > 0 || visit(a.Requires) {
				return true
			}
		}
		return false
	}
	return visit(analyzers)
}
