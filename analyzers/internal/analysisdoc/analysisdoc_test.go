package analysisdoc

import (
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestExtractAsParser checks that every analyzer's Doc is what the package
// comment gives when go/parser reads it.
func TestExtractAsParser(t *testing.T) {
	docs, err := filepath.Glob("../../*/doc.go")
	if err != nil || len(docs) < 8 {
		t.Fatalf("found %d doc.go files (%v); want one per analyzer", len(docs), err)
	}
	for _, path := range docs {
		content, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, content, parser.ParseComments|parser.PackageClauseOnly)
		if err != nil || f.Doc == nil {
			t.Fatalf("%s: no package comment (%v)", path, err)
		}
		name := filepath.Base(filepath.Dir(path))
		_, want, ok := strings.Cut(f.Doc.Text(), "# Analyzer "+name+"\n")
		if !ok {
			t.Errorf("%s: no '# Analyzer %s' heading", path, name)
			continue
		}
		if i := strings.Index(want, "\n# "); i >= 0 {
			want = want[:i]
		}
		if got := Extract(string(content), name); got != strings.TrimSpace(want) {
			t.Errorf("%s: Extract =\n%s\nwant\n%s", path, got, strings.TrimSpace(want))
		}
	}
}

func TestExtractPanics(t *testing.T) {
	for _, content := range []string{
		"package p\n",
		"// Package p does things.\n\npackage p\n",
		"// # Analyzer other\n//\n// other: does other things\n\n\npackage p\n",
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("Extract(%q) did not panic", content)
				}
			}()
			Extract(content, "name")
		}()
	}
}
