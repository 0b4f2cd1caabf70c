package main

// This file computes unified diffs for --diff, with Myers' O(ND)
// algorithm ("An O(ND) Difference Algorithm and Its Variations", 1986)
// over lines. Fixes change few lines, so D is small and so is the cost.

import (
	"fmt"
	"strings"
)

// unifiedDiff returns the unified diff, with three lines of context,
// that turns old into new; "" if they are equal.
func unifiedDiff(oldName, newName string, old, new []byte) string {
	a, b := splitLines(string(old)), splitLines(string(new))
	ops := diffLines(a, b)

	const context = 3
	var out strings.Builder
	for i := 0; i < len(ops); {
		if ops[i].kind == ' ' {
			i++
			continue
		}
		// A hunk runs from context lines before this change to context
		// lines after the last change less than 2*context lines apart.
		start := max(i-context, 0)
		end := i
		for j := i; j < len(ops); j++ {
			if ops[j].kind != ' ' {
				end = j + 1
			} else if j-end >= 2*context {
				break
			}
		}
		end = min(end+context, len(ops))

		if out.Len() == 0 {
			fmt.Fprintf(&out, "--- %s\n+++ %s\n", oldName, newName)
		}
		first := ops[start]
		var oldLen, newLen int
		for _, op := range ops[start:end] {
			if op.kind != '+' {
				oldLen++
			}
			if op.kind != '-' {
				newLen++
			}
		}
		fmt.Fprintf(&out, "@@ -%s +%s @@\n", hunkRange(first.oldLine, oldLen), hunkRange(first.newLine, newLen))
		for _, op := range ops[start:end] {
			out.WriteByte(op.kind)
			out.WriteString(op.text)
			if !strings.HasSuffix(op.text, "\n") {
				out.WriteString("\n\\ No newline at end of file\n")
			}
		}
		i = end
	}
	return out.String()
}

// hunkRange formats a hunk's "start,len" for 0-based start; an empty range
// is numbered after the line it follows, as diff -u does.
func hunkRange(start, n int) string {
	if n == 0 {
		return fmt.Sprintf("%d,0", start)
	}
	if n == 1 {
		return fmt.Sprint(start + 1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}

// splitLines splits s after each newline, keeping them.
func splitLines(s string) []string {
	lines := strings.SplitAfter(s, "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return lines
}

// A lineOp keeps (' '), deletes ('-') or inserts ('+') one line. oldLine
// and newLine are the 0-based numbers of the line before which it applies.
type lineOp struct {
	kind             byte
	text             string
	oldLine, newLine int
}

// diffLines returns a shortest edit script from a to b.
func diffLines(a, b []string) []lineOp {
	// Common prefix and suffix need no search.
	pre := 0
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	suf := 0
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	var ops []lineOp
	for i := range pre {
		ops = append(ops, lineOp{' ', a[i], i, i})
	}
	for _, op := range myers(a[pre:len(a)-suf], b[pre:len(b)-suf]) {
		op.oldLine += pre
		op.newLine += pre
		ops = append(ops, op)
	}
	for i := range suf {
		x, y := len(a)-suf+i, len(b)-suf+i
		ops = append(ops, lineOp{' ', a[x], x, y})
	}
	return ops
}

// myers is Myers' greedy algorithm, keeping for each D the furthest
// reaching x of each diagonal k (trace[d][k+d+1], k in [-d-1, d+1]) to
// walk the path back.
func myers(a, b []string) []lineOp {
	n, m := len(a), len(b)
	var trace [][]int
	v := map[int]int{1: 0}
search:
	for d := 0; d <= n+m; d++ {
		snap := make([]int, 2*d+3)
		for k := -d - 1; k <= d+1; k++ {
			snap[k+d+1] = v[k]
		}
		trace = append(trace, snap)
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || k != d && v[k-1] < v[k+1] {
				x = v[k+1] // down: insert b[y]
			} else {
				x = v[k-1] + 1 // right: delete a[x]
			}
			y := x - k
			for x < n && y < m && a[x] == b[y] {
				x, y = x+1, y+1
			}
			v[k] = x
			if x >= n && y >= m {
				break search
			}
		}
	}

	// Walk back from (n, m), collecting operations in reverse.
	var rev []lineOp
	x, y := n, m
	for d := len(trace) - 1; d >= 0; d-- {
		snap := trace[d]
		at := func(k int) int { return snap[k+d+1] }
		k := x - y
		var prevK int
		if k == -d || k != d && at(k-1) < at(k+1) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := at(prevK)
		prevY := prevX - prevK
		for x > prevX && y > prevY && x > 0 && y > 0 {
			x, y = x-1, y-1
			rev = append(rev, lineOp{' ', a[x], x, y})
		}
		if d == 0 {
			break
		}
		if x == prevX {
			y--
			rev = append(rev, lineOp{'+', b[y], x, y})
		} else {
			x--
			rev = append(rev, lineOp{'-', a[x], x, y})
		}
	}
	ops := make([]lineOp, len(rev))
	for i, op := range rev {
		ops[len(rev)-1-i] = op
	}
	return ops
}
