package main

// This file implements --fix and --diff.
//
// Each finding offers at most one fix to apply: the first of its
// SuggestedFixes. Fixes are taken in finding order and a fix is taken
// whole or not at all: one that touches a generated file, a file outside
// the analyzed packages, or text another taken fix already edits is left
// out, and its finding stays reported. Only files of the main module(s)
// are fixed: never the module cache, vendor/ or GOROOT, even when a
// pattern names their packages. The fixed files are then gofmt'ed
// (when they were gofmt-clean before) and every package containing one is
// type-checked again. When a package no longer compiles, the fixes to
// blame (those that break it on their own, or else all that edit it) are
// dropped with a warning and the rest recomputed, so that --fix never
// leaves code that does not build.
//
// Files are written only when every one of them is as it was analyzed
// (by content) and writable, each through a temporary file renamed over
// it, so that --fix changes all the files it plans to or none.

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"go/ast"
	"go/format"
	"go/parser"
	"go/token"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"golang.org/x/tools/go/packages"
)

// A textEdit is an analysis.TextEdit resolved to byte offsets in a file.
type textEdit struct {
	start, end int
	text       string
}

// A fix is the first suggested fix of a finding, resolved to files.
type fix struct {
	finding *finding
	edits   map[string][]textEdit // by file name
}

// A fixSet is the outcome of planning fixes: the new content of each
// changed file, the original content, and the findings fixed.
type fixSet struct {
	changed map[string][]byte
	orig    map[string][]byte
	fixed   map[findingKey]bool
	applied []*fix // in finding order, for the report of what changed
}

// planFixes chooses the fixes to apply and computes the fixed files.
// It writes nothing. warn reports fixes left out for a reason the user
// should know (a fix that breaks the build is a bug in an analyzer).
// analyzedAs reports whether content is that of the file as analyzed.
func planFixes(units []*unit, findings []*finding, analyzedAs func(file string, content []byte) bool, warn func(string)) (*fixSet, error) {
	pkgsOf := packagesByFile(units)
	fs := &fixSet{orig: make(map[string][]byte)}
	var candidates []*fix
	for _, f := range findings {
		fx, err := resolveFix(f, pkgsOf, fs.orig, analyzedAs)
		if err != nil {
			return nil, err
		}
		if fx != nil {
			candidates = append(candidates, fx)
		}
	}

	rejected := make(map[*fix]bool)
	for {
		taken := takeFixes(candidates, rejected)
		changed, bad := check(taken, fs.orig, pkgsOf)
		if len(bad) == 0 {
			fs.changed, fs.applied = changed, taken
			fs.fixed = make(map[findingKey]bool)
			for _, fx := range taken {
				fs.fixed[fx.finding.key()] = true
			}
			return fs, nil
		}
		blamed := culprits(taken, bad, fs.orig, pkgsOf)
		for _, fx := range taken { // in order, for deterministic warnings
			if reason, ok := blamed[fx]; ok {
				rejected[fx] = true
				warn(fmt.Sprintf("--fix: not applying %q at %s: %s", fx.finding.diag.SuggestedFixes[0].Message, textPos(fx.finding.posn), oneLine(reason)))
			}
		}
	}
}

// check computes the files that fixes change, and reports those that
// would not parse or whose packages would not type-check.
func check(fixes []*fix, orig map[string][]byte, pkgsOf map[string][]*packages.Package) (changed map[string][]byte, bad map[string]string) {
	changed, bad = applyEdits(fixes, orig)
	if len(bad) == 0 {
		bad = typeCheckChanged(changed, pkgsOf)
	}
	return changed, bad
}

// culprits returns the fixes to blame for the bad files, with the reason:
// those that break the build on their own or, when only their combination
// does, all that edit a bad file.
func culprits(taken []*fix, bad map[string]string, orig map[string][]byte, pkgsOf map[string][]*packages.Package) map[*fix]string {
	blamed := make(map[*fix]string)
	all := make(map[*fix]string)
	for _, fx := range taken {
		for _, file := range slices.Sorted(maps.Keys(fx.edits)) {
			if reason, ok := bad[file]; ok && all[fx] == "" {
				all[fx] = reason
			}
		}
		if _, ok := all[fx]; !ok {
			continue
		}
		if _, alone := check([]*fix{fx}, orig, pkgsOf); len(alone) > 0 {
			blamed[fx] = alone[slices.Min(slices.Collect(maps.Keys(alone)))]
		}
	}
	if len(blamed) == 0 {
		return all
	}
	return blamed
}

// resolveFix resolves the first fix of f, or returns nil if it has none or
// it must not be applied. It reads the files it edits into orig.
func resolveFix(f *finding, pkgsOf map[string][]*packages.Package, orig map[string][]byte, analyzedAs func(string, []byte) bool) (*fix, error) {
	if len(f.diag.SuggestedFixes) == 0 {
		return nil, nil
	}
	fx := &fix{finding: f, edits: make(map[string][]textEdit)}
	for _, e := range f.diag.SuggestedFixes[0].TextEdits {
		file := f.fset.File(e.Pos)
		name := file.Name()
		if !fixable(name, pkgsOf[name]) {
			return nil, nil
		}
		if _, ok := orig[name]; !ok {
			data, err := os.ReadFile(name)
			if err != nil {
				return nil, err
			}
			if !analyzedAs(name, data) {
				return nil, fmt.Errorf("%s changed since it was analyzed; not fixing anything", relPath(name))
			}
			orig[name] = data
		}
		if isGenerated(orig[name]) {
			return nil, nil
		}
		fx.edits[name] = append(fx.edits[name], textEdit{file.Offset(e.Pos), file.Offset(cmp.Or(e.End, e.Pos)), string(e.NewText)})
	}
	return fx, nil
}

// takeFixes returns, in order, the candidates not rejected whose edits do
// not conflict with those of a fix taken before. An edit identical to one
// already taken is no conflict: test variants and overlapping analyzers
// may suggest the same fix twice, and both findings are then fixed.
func takeFixes(candidates []*fix, rejected map[*fix]bool) []*fix {
	var taken []*fix
	edits := make(map[string][]textEdit) // of the fixes taken
	conflicts := func(fx *fix) bool {
		for file, es := range fx.edits {
			for _, e := range es {
				for _, prev := range edits[file] {
					if e != prev && conflict(e, prev) {
						return true
					}
				}
			}
		}
		return false
	}
	for _, fx := range candidates {
		if rejected[fx] || conflicts(fx) {
			continue
		}
		taken = append(taken, fx)
		for file, es := range fx.edits {
			for _, e := range es {
				if !slices.Contains(edits[file], e) {
					edits[file] = append(edits[file], e)
				}
			}
		}
	}
	return taken
}

// conflict reports whether two edits touch the same text, or insert at
// the same point, where their order would be a guess.
func conflict(a, b textEdit) bool {
	return a.start < b.end && b.start < a.end || a.start == b.start
}

// applyEdits computes the new content of every file the fixes edit. bad
// maps files whose result does not parse to the reason.
func applyEdits(fixes []*fix, orig map[string][]byte) (changed map[string][]byte, bad map[string]string) {
	byFile := make(map[string][]textEdit)
	for _, fx := range fixes {
		for file, es := range fx.edits {
			for _, e := range es {
				if !slices.Contains(byFile[file], e) {
					byFile[file] = append(byFile[file], e)
				}
			}
		}
	}
	changed, bad = make(map[string][]byte), make(map[string]string)
	for file, es := range byFile {
		// Insertions sort before replacements at the same offset,
		// as the drivers' fix validation orders them.
		slices.SortStableFunc(es, func(x, y textEdit) int {
			return cmp.Or(cmp.Compare(x.start, y.start), cmp.Compare(x.end, y.end))
		})
		src := orig[file]
		var buf bytes.Buffer
		last := 0
		for _, e := range es {
			buf.Write(src[last:e.start])
			buf.WriteString(e.text)
			last = e.end
		}
		buf.Write(src[last:])
		out, err := tidy(src, buf.Bytes())
		if err != nil {
			bad[file] = "the fixed file does not parse: " + err.Error()
			continue
		}
		if !bytes.Equal(out, src) {
			changed[file] = out
		}
	}
	return changed, bad
}

// tidy gofmts fixed if the original was gofmt-clean, so that a fix does
// not leave misaligned code; otherwise it only checks that fixed parses,
// rather than reformat lines the fix did not touch.
func tidy(orig, fixed []byte) ([]byte, error) {
	if formatted, err := format.Source(orig); err == nil && bytes.Equal(formatted, orig) {
		return format.Source(fixed)
	}
	_, err := parser.ParseFile(token.NewFileSet(), "", fixed, parser.SkipObjectResolution)
	return fixed, err
}

// isGenerated reports whether src has a "Code generated ... DO NOT EDIT."
// comment; fixing generated code is pointless.
func isGenerated(src []byte) bool {
	f, err := parser.ParseFile(token.NewFileSet(), "", src, parser.PackageClauseOnly|parser.ParseComments)
	return err == nil && ast.IsGenerated(f)
}

// packagesByFile maps each Go file of the analyzed packages to the
// packages (test variants included) that contain it.
func packagesByFile(units []*unit) map[string][]*packages.Package {
	m := make(map[string][]*packages.Package)
	for _, u := range units {
		for _, p := range u.pkgs {
			for _, file := range p.GoFiles {
				m[file] = append(m[file], p)
			}
		}
	}
	return m
}

// fixable reports whether file, contained in pkgs, may be fixed: a file
// of the analyzed packages of a main module, outside vendor/. Others
// (cgo output, the module cache, GOROOT, a vendored copy) belong to
// someone else, and changing them breaks go mod verify.
func fixable(file string, pkgs []*packages.Package) bool {
	if len(pkgs) == 0 || slices.Contains(strings.Split(filepath.ToSlash(filepath.Dir(file)), "/"), "vendor") {
		return false
	}
	for _, p := range pkgs {
		if p.Module == nil || !p.Module.Main {
			return false
		}
	}
	return true
}

// writeFixes writes the fixed files, keeping their permissions, and says
// on w what it changed. Each file is first written beside itself to a
// temporary file; only when all are written, and each original is still
// as it was read, are they renamed over the originals. On any error
// before that nothing is changed.
func writeFixes(fs *fixSet, w io.Writer) (err error) {
	files := slices.Sorted(maps.Keys(fs.changed))
	temps := make(map[string]string)
	defer func() {
		for _, tmp := range temps {
			os.Remove(tmp) // after an error, or a failed rename
		}
	}()
	for _, file := range files {
		tmp, err := writeBeside(file, fs.changed[file])
		if err != nil {
			return fmt.Errorf("--fix: %v; no file was changed", err)
		}
		temps[file] = tmp
		if now, err := os.ReadFile(file); err != nil || !bytes.Equal(now, fs.orig[file]) {
			return fmt.Errorf("--fix: %s changed while kvlint ran; no file was changed", relPath(file))
		}
	}
	for _, file := range files {
		if err := os.Rename(temps[file], file); err != nil {
			return fmt.Errorf("--fix: %v", err)
		}
		delete(temps, file)
	}
	for _, fx := range fs.applied {
		fmt.Fprintf(w, "kvlint: fixed %s: %s\n", textPos(fx.finding.posn), fx.finding.diag.SuggestedFixes[0].Message)
	}
	return nil
}

// writeBeside writes content to a new temporary file in file's folder,
// with file's permissions, and returns its name. A read-only file is an
// error: kvlint does not change what its owner protected.
func writeBeside(file string, content []byte) (string, error) {
	info, err := os.Stat(file)
	if err != nil {
		return "", err
	}
	if info.Mode().Perm()&0o200 == 0 {
		return "", fmt.Errorf("%s is read-only", relPath(file))
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".kvlint-*")
	if err != nil {
		return "", err
	}
	_, err = tmp.Write(content)
	err = errors.Join(err, tmp.Chmod(info.Mode().Perm()), tmp.Close())
	if err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	return tmp.Name(), nil
}

// printDiffs prints the changes as unified diffs, like gofmt -d.
func printDiffs(w io.Writer, fs *fixSet) error {
	for _, file := range slices.Sorted(maps.Keys(fs.changed)) {
		name := relPath(file)
		if _, err := io.WriteString(w, unifiedDiff(name+".orig", name, fs.orig[file], fs.changed[file])); err != nil {
			return err
		}
	}
	return nil
}
