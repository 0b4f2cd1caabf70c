package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"

	"github.com/kvlint/kvlint/analyzers/kvapi"
)

// A loader holds what every go list of one run shares.
type loader struct {
	ctx        context.Context // cancelled on SIGINT or SIGTERM, which stops go list
	dir        string          // the folder to load from, "" for the current one (see scopes)
	buildFlags []string
	tests      bool     // load each package's tests too, as go vet does
	parsed     sync.Map // file name → sha256 of the content analyzed, see analyzedAs
}

// parse parses a file as go/packages does by default, noting the digest
// of the content, so that --fix can tell a file changed since.
func (l *loader) parse(fset *token.FileSet, filename string, src []byte) (*ast.File, error) {
	l.parsed.Store(filename, sha256.Sum256(src))
	return parser.ParseFile(fset, filename, src, parser.AllErrors|parser.ParseComments)
}

// analyzedAs reports whether data is the content of file as it was
// parsed for analysis.
func (l *loader) analyzedAs(file string, data []byte) bool {
	sum, ok := l.parsed.Load(file)
	return ok && sum == sha256.Sum256(data)
}

// interrupted replaces the error of a load that SIGINT or SIGTERM
// stopped, which would otherwise name go list's death.
func (l *loader) interrupted(err error) error {
	if l.ctx.Err() != nil {
		return errors.New("interrupted")
	}
	return err
}

func (l *loader) config(t target, mode packages.LoadMode) *packages.Config {
	return &packages.Config{Context: l.ctx, Dir: l.dir, Mode: mode, Env: t.env, BuildFlags: l.buildFlags, Tests: l.tests, ParseFile: l.parse}
}

// A loaded target: the roots that can be analyzed, and every package
// that was type-checked whole from source, function bodies included: the
// roots and the dependencies loaded for their facts. go/packages also
// gives syntax to other test variants of dependencies (a mock package that
// a test imports), but type-checks those without function bodies, and
// building SSA on one panics ("no types.Object for ast.Ident mock").
type loaded struct {
	roots []*packages.Package
	whole map[*packages.Package]bool
}

// load loads the packages of t, with their tests as go vet does unless
// tests is false, ready for checker.Analyze (see forChecker). It returns
// the root packages that can be analyzed, and a failure for each that
// cannot: a package that does not load or type-check is left out and
// named with its cause, and never costs the findings of the others. The
// error is for a load that gave nothing at all (go list itself failed, or
// the patterns match nothing).
//
// Analyzers with facts run on dependencies too, but facts come only from
// packages that use KV: the model skips every other package at once. So
// the dependencies that use KV are loaded from source beside the roots,
// and the rest of the graph (the standard library, the SDKs) from export
// data, which the build cache usually has, rather than type-checked from
// source on every run.
func (l *loader) load(t target, analyzers []*analysis.Analyzer) (*loaded, []failure, error) {
	patterns := t.patterns
	var extra map[string]bool // dependencies loaded from source for their facts
	if needFacts(analyzers) {
		var libraries []string
		var err error
		if extra, libraries, err = l.kvDependencies(t); err != nil {
			return nil, nil, err
		}
		patterns = slices.Concat(patterns, slices.Sorted(maps.Keys(extra)))
		l.summarizeLibraries(t, libraries)
	}
	pkgs, err := packages.Load(l.config(t, packages.LoadSyntax|packages.NeedModule), patterns...)
	if err != nil {
		return nil, nil, err
	}
	if len(pkgs) == 0 {
		return nil, nil, fmt.Errorf("%s matched no packages", strings.Join(t.patterns, " "))
	}
	whole := make(map[*packages.Package]bool)
	for _, p := range pkgs {
		whole[p] = true
	}
	// The extra packages and their tests are no roots: nobody asked.
	isExtra := func(p *packages.Package) bool {
		return extra[strings.TrimSuffix(strings.TrimSuffix(p.PkgPath, ".test"), "_test")]
	}
	roots := slices.DeleteFunc(slices.Clone(pkgs), isExtra)
	ok, failed := loadFailures(roots, slices.DeleteFunc(pkgs, func(p *packages.Package) bool { return !isExtra(p) }), t)
	if len(ok) == 0 && len(failed) == 0 {
		return nil, nil, fmt.Errorf("%s matched no packages", strings.Join(t.patterns, " "))
	}
	return &loaded{roots: ok, whole: whole}, failed, nil
}

// kvDependencies lists the import graph of t's roots (names and imports
// only) and returns the dependencies, outside the roots, that use KV (that
// import an SDK or a configured interface, directly or not) or belong to
// the main module. The SDKs themselves are not among them: the model does
// not analyse them. It also returns the libraries of other modules that
// those packages, the roots and the main module import, for
// summarizeLibraries.
func (l *loader) kvDependencies(t target) (extra map[string]bool, libraries []string, err error) {
	roots, err := packages.Load(l.config(t, packages.NeedName|packages.NeedFiles|packages.NeedImports|packages.NeedDeps|packages.NeedModule), t.patterns...)
	if err != nil {
		return nil, nil, err
	}
	ifaces := interfacePackages()
	uses := make(map[*packages.Package]bool)
	var usesKV func(p *packages.Package) bool
	usesKV = func(p *packages.Package) bool {
		if done, ok := uses[p]; ok {
			return done
		}
		uses[p] = false // (no import cycles, but be safe)
		result := isSDK(p.PkgPath) || ifaces[p.PkgPath] || mayUseREST(p)
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
	extra = make(map[string]bool)
	libs := make(map[string]bool)
	for p, u := range uses {
		// The user's own packages give facts even when they use no KV:
		// the key builders of a keys package, a retry helper.
		own := p.Module != nil && p.Module.Main
		if (u || own) && !isRoot[p.PkgPath] && !isSDK(p.PkgPath) && !ifaces[p.PkgPath] {
			extra[p.PkgPath] = true
		}
		if !u && !own && !isRoot[p.PkgPath] {
			continue
		}
		for _, imp := range p.Imports {
			if imp.Module != nil && !imp.Module.Main && !isSDK(imp.PkgPath) && !ifaces[imp.PkgPath] && len(imp.GoFiles) <= maxLibraryFiles {
				libs[imp.PkgPath] = true
			}
		}
	}
	if !slices.Contains(slices.Collect(maps.Values(uses)), true) {
		return extra, nil, nil // a program that uses no KV needs no library's helpers
	}
	return extra, slices.Sorted(maps.Keys(libs)), nil
}

// maxLibraryFiles bounds the libraries read for their helpers: utility
// libraries are small, and reading a framework or a client library
// whole on every run would cost more than its helpers are worth.
const maxLibraryFiles = 60

// summarizeLibraries reads the source of the libraries that code using
// KV imports, which the analysis loads from export data, for the facts
// of their small helpers and runners: lo.Ternary picks a lifetime,
// lo.ForEach runs its function once per element (see
// kvapi.SummarizeLibrary). They are loaded without their tests, and a
// library that does not load is skipped: it only costs its facts.
func (l *loader) summarizeLibraries(t target, paths []string) {
	if len(paths) == 0 {
		return
	}
	mode := packages.NeedName | packages.NeedSyntax | packages.NeedTypes | packages.NeedTypesInfo
	pkgs, err := packages.Load(&packages.Config{Context: l.ctx, Dir: l.dir, Mode: mode, Env: t.env, BuildFlags: l.buildFlags}, paths...)
	if err != nil {
		return
	}
	for _, p := range pkgs {
		if len(p.Errors) == 0 && p.Types != nil && p.TypesInfo != nil {
			kvapi.SummarizeLibrary(p.Fset, p.Types, p.Syntax, p.TypesInfo)
		}
	}
}

// mayUseREST reports whether p, a package of the user's own module, makes
// HTTP requests: it may call the KV REST API, which only its source tells.
func mayUseREST(p *packages.Package) bool {
	return p.Module != nil && p.Module.Main && p.Imports["net/http"] != nil
}

// isSDK reports whether path is a package of a KV SDK's own module.
func isSDK(path string) bool { return kvapi.InSDK(path, "") }

// interfacePackages returns the packages of the KV-shaped interfaces that
// -kvapi.interfaces names.
func interfacePackages() map[string]bool {
	pkgs := make(map[string]bool)
	for _, p := range interfaces().Packages() {
		pkgs[p] = true
	}
	return pkgs
}

// forChecker returns copies of ld's roots whose imports lead only to
// packages type-checked whole from source without errors of their own,
// the ones that analyzers with facts run on; the originals keep every
// import, for type-checking fixes. A copy is ill-typed only for errors of
// its own: a root whose dependency is broken, yet which type-checks, is
// still analyzed.
func forChecker(ld *loaded) []*packages.Package {
	copies := make(map[*packages.Package]*packages.Package)
	var cp func(p *packages.Package) *packages.Package
	cp = func(p *packages.Package) *packages.Package {
		if c, ok := copies[p]; ok {
			return c
		}
		c := *p
		copies[p] = &c
		c.IllTyped = hasOwnErrors(p)
		c.Imports = make(map[string]*packages.Package)
		for path, imp := range p.Imports {
			if ld.whole[imp] && !hasOwnErrors(imp) {
				c.Imports[path] = cp(imp)
			}
		}
		return &c
	}
	out := make([]*packages.Package, len(ld.roots))
	for i, p := range ld.roots {
		out[i] = cp(p)
	}
	return out
}

// A failure is a package, or a whole target, that kvlint could not
// analyze, and why, in one line.
type failure struct {
	pkg   string // "" for a whole target
	cause string
	stack []byte // of an internal error, shown with --debug
}

func (f failure) String() string {
	if f.pkg == "" {
		return f.cause
	}
	return f.pkg + ": " + f.cause
}

// loadFailures splits roots into those that can be analyzed and failures
// for the others, each naming its root cause: the package's own first
// error, or that of the deepest broken package it imports. Test variants
// repeat their package's errors, so a cause is reported once. Broken
// dependencies loaded from source for their facts (extra) get a line of
// their own unless a root's line already names them.
func loadFailures(roots, extra []*packages.Package, t target) (ok []*packages.Package, failed []failure) {
	reported := make(map[string]bool)         // causes, once each
	named := make(map[*packages.Package]bool) // broken packages a root's line names
	add := func(p *packages.Package, cause string) {
		if !reported[cause] {
			reported[cause] = true
			failed = append(failed, failure{pkg: t.qualify(p.ID), cause: cause})
		}
	}
	for _, r := range roots {
		if !hasOwnErrors(r) {
			ok = append(ok, r)
			continue
		}
		broken := r
		for p := range packages.Postorder([]*packages.Package{r}) {
			if hasOwnErrors(p) {
				broken = p // the first in postorder imports nothing broken
				break
			}
		}
		named[broken] = true
		if broken == r {
			add(r, describeErrors(r))
		} else {
			add(r, "not analyzed: "+broken.PkgPath+": "+describeErrors(broken))
		}
	}
	for _, p := range extra {
		if hasOwnErrors(p) && !named[p] {
			add(p, describeErrors(p))
		}
	}
	return ok, failed
}

func hasOwnErrors(p *packages.Package) bool { return len(ownErrors(p.Errors)) > 0 }

// describeErrors describes p's own errors by the first of them, as
// "KIND error: FILE:LINE:COL: MESSAGE (and N more errors)".
func describeErrors(p *packages.Package) string {
	errs := ownErrors(p.Errors)
	first := errs[0]
	var b strings.Builder
	switch first.Kind {
	case packages.ParseError:
		b.WriteString("syntax error: ")
	case packages.TypeError:
		b.WriteString("type error: ")
	}
	if first.Pos != "" && first.Pos != "-" {
		fmt.Fprintf(&b, "%s: ", relPos(first.Pos))
	}
	b.WriteString(first.Msg)
	if n := len(errs) - 1; n > 0 {
		fmt.Fprintf(&b, " (and %d more %s)", n, plural(n, "error", "errors"))
	}
	return b.String()
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
	if rel, ok := within(dir, filename); ok {
		return rel
	}
	return filename
}

// within returns path relative to dir, if it is in dir ("." for dir).
func within(dir, path string) (string, bool) {
	rel, err := filepath.Rel(dir, path)
	return rel, err == nil && filepath.IsLocal(rel)
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
