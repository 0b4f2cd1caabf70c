package main

import (
	"bytes"
	"cmp"
	"encoding/json"
	"fmt"
	"go/token"
	"io"
	"slices"

	"golang.org/x/tools/go/analysis"
	"golang.org/x/tools/go/analysis/checker"
)

// printText prints one finding per line as "file:line:col: analyzer:
// message", with related positions indented below it.
func printText(w io.Writer, findings []*finding) error {
	for _, f := range findings {
		if _, err := fmt.Fprintf(w, "%s: %s: %s\n", textPos(f.posn), f.analyzer, f.message); err != nil {
			return err
		}
		for _, r := range f.related {
			if _, err := fmt.Fprintf(w, "\t%s: %s\n", textPos(r.posn), r.message); err != nil {
				return err
			}
		}
	}
	return nil
}

func textPos(p token.Position) string {
	p.Filename = relPath(p.Filename)
	return p.String()
}

// printJSON prints the findings of all units in go vet's -json shape: one
// object mapping package ID to analyzer name to diagnostics, or to
// {"error": "..."}. Findings in fixed (those --fix applied) are left out;
// each failure is an error under the name "kvlint".
func printJSON(w io.Writer, units []*unit, fixed map[findingKey]bool, failed []failure) error {
	var merged checker.Graph
	for _, u := range units {
		for _, act := range u.graph.Roots {
			if len(fixed) > 0 {
				act.Diagnostics = slices.DeleteFunc(act.Diagnostics, func(d analysis.Diagnostic) bool {
					return fixed[diagKey(act, d)]
				})
			}
			merged.Roots = append(merged.Roots, act)
		}
	}
	if len(failed) == 0 {
		return merged.PrintJSON(w)
	}
	var buf bytes.Buffer
	if err := merged.PrintJSON(&buf); err != nil {
		return err
	}
	tree := make(map[string]map[string]any)
	if err := json.Unmarshal(buf.Bytes(), &tree); err != nil {
		return err
	}
	for _, f := range failed {
		pkg := cmp.Or(f.pkg, "kvlint")
		if tree[pkg] == nil {
			tree[pkg] = make(map[string]any)
		}
		cause := f.cause
		if prev, ok := tree[pkg]["kvlint"].(map[string]string); ok {
			cause = prev["error"] + "; " + cause
		}
		tree[pkg]["kvlint"] = map[string]string{"error": cause}
	}
	data, err := json.MarshalIndent(tree, "", "\t")
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(w, "%s\n", data)
	return err
}
