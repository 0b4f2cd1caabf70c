// Package analysisdoc turns an analyzer's doc.go into its Analyzer.Doc, as
// x/tools does for its own passes (its helper is internal there).
package analysisdoc

import (
	"fmt"
	"go/parser"
	"go/token"
	"strings"
)

// Extract returns the documentation of analyzer name from the package
// comment of doc.go's content: the text after the "# Analyzer NAME"
// heading, up to the next heading. It panics if there is none, which
// a test of every analyzer catches.
func Extract(content, name string) string {
	f, err := parser.ParseFile(token.NewFileSet(), "doc.go", content, parser.ParseComments|parser.PackageClauseOnly)
	if err != nil || f.Doc == nil {
		panic(fmt.Sprintf("analysisdoc: no package comment in doc.go for %s", name))
	}
	text := f.Doc.Text()
	_, after, ok := strings.Cut(text, "# Analyzer "+name+"\n")
	if !ok {
		panic(fmt.Sprintf("analysisdoc: no '# Analyzer %s' heading", name))
	}
	if i := strings.Index(after, "\n# "); i >= 0 {
		after = after[:i]
	}
	return strings.TrimSpace(after)
}
