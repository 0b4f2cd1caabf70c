// Package report is the one way kvlint's analyzers report: it applies
// suppression directives, attaches the analyzer's documentation URL, and
// keeps to one diagnostic per site.
//
// Suppression lives here, not in a driver, because go vet and nogo have
// none. A finding is silenced by a directive on its own line or on the
// line above it:
//
//	//kvlint:ignore kvttl the API is a local mock
//	//nolint:kvttl // or //nolint:kvlint, which covers every analyzer
//
// kvlint:ignore needs a reason, and one that silences nothing is
// reported, as staticcheck does with lint:ignore.
package report

import (
	"fmt"
	"go/ast"
	"go/token"
	"slices"
	"strings"

	"golang.org/x/tools/go/analysis"
)

// A Reporter reports one analyzer's findings in one package.
type Reporter struct {
	pass       *analysis.Pass
	directives map[lineKey][]*directive
	all        []*directive          // in source order, for Finish
	sites      map[token.Pos]int     // index in pending of the finding at each position
	pending    []analysis.Diagnostic // reported by Finish, in the order first found
}

type lineKey struct {
	file string
	line int
}

type directive struct {
	pos    token.Pos
	names  []string
	reason string
	ignore bool // kvlint:ignore, as opposed to nolint
	used   bool
}

// New returns a Reporter for pass, reading the directives of its files.
func New(pass *analysis.Pass) *Reporter {
	r := &Reporter{pass: pass, directives: make(map[lineKey][]*directive), sites: make(map[token.Pos]int)}
	for _, f := range pass.Files {
		for _, group := range f.Comments {
			for _, c := range group.List {
				if d := parse(c); d != nil && d.names != nil {
					p := pass.Fset.Position(c.Slash)
					k := lineKey{p.Filename, p.Line}
					r.directives[k] = append(r.directives[k], d)
					r.all = append(r.all, d)
				}
			}
		}
	}
	return r
}

// parse recognises //kvlint:ignore NAMES REASON and //nolint:NAMES.
func parse(c *ast.Comment) *directive {
	text, ok := strings.CutPrefix(c.Text, "//")
	if !ok {
		return nil
	}
	if rest, ok := strings.CutPrefix(text, "kvlint:ignore"); ok {
		fields := strings.Fields(rest)
		d := &directive{pos: c.Slash, ignore: true, names: []string{}}
		if len(fields) > 0 {
			d.names = strings.Split(fields[0], ",")
			d.reason = strings.Join(fields[1:], " ")
		}
		return d
	}
	if rest, ok := strings.CutPrefix(text, "nolint:"); ok {
		list, _, _ := strings.Cut(rest, " ")
		return &directive{pos: c.Slash, names: strings.Split(list, ",")}
	}
	return nil
}

// Report reports d, when Finish is called, unless a directive silences it
// or another finding of this analyzer was reported at the same position
// (of two, the first that carries a suggested fix is kept).
func (r *Reporter) Report(d analysis.Diagnostic) {
	if i, ok := r.sites[d.Pos]; ok {
		if i >= 0 && len(d.SuggestedFixes) > 0 && len(r.pending[i].SuggestedFixes) == 0 {
			r.pending[i] = r.complete(d) // the same finding, with a fix
		}
		return
	}
	d = r.complete(d)
	p := r.pass.Fset.Position(d.Pos)
	for _, line := range []int{p.Line, p.Line - 1} {
		for _, dir := range r.directives[lineKey{p.Filename, line}] {
			if dir.covers(r.pass.Analyzer.Name) && (!dir.ignore || dir.reason != "") {
				dir.used = true
				r.sites[d.Pos] = -1
				return
			}
		}
	}
	r.sites[d.Pos] = len(r.pending)
	r.pending = append(r.pending, d)
}

// complete fills in the analyzer's documentation URL and category.
func (r *Reporter) complete(d analysis.Diagnostic) analysis.Diagnostic {
	if d.URL == "" {
		d.URL = r.pass.Analyzer.URL
	}
	if d.Category == "" {
		d.Category = r.pass.Analyzer.Name
	}
	return d
}

// Reportf reports a finding at the range of node n.
func (r *Reporter) Reportf(n ast.Node, format string, args ...any) {
	r.Report(analysis.Diagnostic{Pos: n.Pos(), End: n.End(), Message: fmt.Sprintf(format, args...)})
}

// Finish reports the findings, then this analyzer's kvlint:ignore
// directives that lack a reason or silenced nothing. Call it once, after
// every Report.
func (r *Reporter) Finish() {
	for _, d := range r.pending {
		if !slices.ContainsFunc(r.pending, func(inner analysis.Diagnostic) bool { return encloses(d, inner) }) {
			r.pass.Report(d)
		}
	}
	r.pending = nil
	name := r.pass.Analyzer.Name
	for _, d := range r.all {
		if !d.ignore || !slices.Contains(d.names, name) {
			continue
		}
		switch {
		case d.reason == "":
			r.pass.Report(analysis.Diagnostic{Pos: d.pos, Category: name, URL: suppressionURL,
				Message: fmt.Sprintf("kvlint:ignore %s needs a reason after the analyzer name", name)})
		case !d.used:
			r.pass.Report(analysis.Diagnostic{Pos: d.pos, Category: name, URL: suppressionURL,
				Message: fmt.Sprintf("this kvlint:ignore directive silences no %s finding on its line or the next", name)})
		}
	}
}

// encloses reports whether inner is the finding d, said at a part of its
// range: a literal's field, where d is the whole literal. The part is where
// the mistake is written.
func encloses(d, inner analysis.Diagnostic) bool {
	return inner.Message == d.Message && inner.End.IsValid() && d.Pos <= inner.Pos && inner.End <= d.End &&
		(d.Pos != inner.Pos || d.End != inner.End)
}

const suppressionURL = "https://github.com/kvlint/kvlint/blob/main/docs/suppression.md"

// covers reports whether the directive names the analyzer, or all of kvlint.
func (d *directive) covers(analyzer string) bool {
	for _, n := range d.names {
		if n == analyzer || n == "kvlint" || (!d.ignore && n == "all") {
			return true
		}
	}
	return false
}
