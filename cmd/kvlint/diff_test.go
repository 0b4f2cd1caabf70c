package main

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestUnifiedDiff(t *testing.T) {
	// Changes 7 lines apart make two hunks; 6 apart would make one.
	old := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n"
	new := "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\nl\n"
	want := `--- x.go.orig
+++ x.go
@@ -1,7 +1,7 @@
 a
 b
 c
-d
+D
 e
 f
 g
@@ -9,3 +9,4 @@
 i
 j
 k
+l
`
	if got := unifiedDiff("x.go.orig", "x.go", []byte(old), []byte(new)); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
	if got := unifiedDiff("a", "b", []byte(old), []byte(old)); got != "" {
		t.Errorf("diff of equal texts = %q, want none", got)
	}
}

// Random edits: applying the diff to the old text must give the new one.
func TestUnifiedDiffApplies(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	text := func() string {
		var b strings.Builder
		for range rng.IntN(30) {
			fmt.Fprintf(&b, "%c\n", 'a'+rng.IntN(4))
		}
		if rng.IntN(4) == 0 {
			b.WriteString("no newline")
		}
		return b.String()
	}
	for range 2000 {
		old, new := text(), text()
		d := unifiedDiff("old", "new", []byte(old), []byte(new))
		if got := applyUnified(t, old, d); got != new {
			t.Fatalf("applying\n%s\nto %q gives %q, want %q", d, old, got, new)
		}
	}
}

var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$`)

// applyUnified applies a unified diff made by unifiedDiff to old.
func applyUnified(t *testing.T, old, diff string) string {
	if diff == "" {
		return old
	}
	oldLines := splitLines(old)
	lines := strings.Split(strings.TrimSuffix(diff, "\n"), "\n")[2:]
	var out []string
	next := 0 // next old line to copy
	for i := 0; i < len(lines); i++ {
		m := hunkHeader.FindStringSubmatch(lines[i])
		if m == nil {
			t.Fatalf("bad hunk header %q in\n%s", lines[i], diff)
		}
		start, _ := strconv.Atoi(m[1])
		if m[2] != "0" {
			start-- // 1-based, except for empty ranges
		}
		out = append(out, oldLines[next:start]...)
		next = start
		for i+1 < len(lines) && !strings.HasPrefix(lines[i+1], "@@") {
			i++
			l := lines[i]
			text := l[1:] + "\n"
			if i+1 < len(lines) && lines[i+1] == `\ No newline at end of file` {
				text = l[1:]
				i++
			}
			switch l[0] {
			case ' ':
				if oldLines[next] != text {
					t.Fatalf("context %q does not match old line %q", text, oldLines[next])
				}
				out = append(out, text)
				next++
			case '-':
				next++
			case '+':
				out = append(out, text)
			}
		}
	}
	return strings.Join(append(out, oldLines[next:]...), "")
}
