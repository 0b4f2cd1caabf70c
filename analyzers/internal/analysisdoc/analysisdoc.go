// Package analysisdoc turns an analyzer's doc.go into its Analyzer.Doc, as
// x/tools does for its own passes (its helper is internal there).
package analysisdoc

import (
	"fmt"
	"strings"
)

// Extract returns the documentation of analyzer name from the package
// comment of doc.go's content: the text after the "# Analyzer NAME"
// heading, up to the next heading. It panics if there is none, which
// a test of every analyzer catches.
//
// It reads the comment's lines itself rather than with go/parser: every
// analyzer's Doc is made when the program starts, and go vet starts the
// program once per package.
func Extract(content, name string) string {
	text, ok := packageComment(content)
	if !ok {
		panic(fmt.Sprintf("analysisdoc: no package comment in doc.go for %s", name))
	}
	_, after, ok := strings.Cut(text, "# Analyzer "+name+"\n")
	if !ok {
		panic(fmt.Sprintf("analysisdoc: no '# Analyzer %s' heading", name))
	}
	if i := strings.Index(after, "\n# "); i >= 0 {
		after = after[:i]
	}
	return strings.TrimSpace(after)
}

// packageComment returns the text of the // comment lines directly above
// the package clause, without their markers, as ast.CommentGroup.Text
// would give it.
func packageComment(content string) (string, bool) {
	var group []string
	for line := range strings.Lines(content) {
		line = strings.TrimRight(line, " \t\r\n")
		switch {
		case strings.HasPrefix(line, "package "):
			return strings.Join(group, "\n"), len(group) > 0
		case strings.HasPrefix(line, "//go:"), strings.HasPrefix(line, "//line "):
			// directives are no part of the doc
		case strings.HasPrefix(line, "//"):
			text := strings.TrimPrefix(line, "//")
			group = append(group, strings.TrimPrefix(text, " "))
		default:
			group = nil // a blank line or code ends a comment group
		}
	}
	return "", false
}
