package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/packages"
)

// load loads the packages of t, with their tests as go vet does, ready for
// checker.Analyze. It fails if the patterns match nothing or any package
// in the import graph does not load or type-check: findings computed on a
// broken package would be unreliable, so kvlint refuses to guess.
func load(t target, buildFlags []string, analyzers []*analysis.Analyzer) ([]*packages.Package, error) {
	// Analyzers with facts also run on dependencies, from source; the
	// others need syntax only for the packages named on the command line.
	mode := packages.LoadSyntax | packages.NeedModule
	if needFacts(analyzers) {
		mode = packages.LoadAllSyntax | packages.NeedModule
	}
	cfg := &packages.Config{
		Mode:       mode,
		Env:        t.env,
		BuildFlags: buildFlags,
		Tests:      true,
	}
	pkgs, err := packages.Load(cfg, t.patterns...)
	if err != nil {
		return nil, err
	}
	if len(pkgs) == 0 {
		return nil, fmt.Errorf("%s matched no packages", strings.Join(t.patterns, " "))
	}
	if err := firstError(pkgs, t); err != nil {
		return nil, err
	}
	return pkgs, nil
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
