package kvhotkey

import (
	"strconv"

	"github.com/samber/lo"
	"github.com/syumai/workers/cloudflare/kv"
)

// lo.ForEach runs its function once per element: the venue's pass key is
// written once per line.
func markPass(ns *kv.Namespace, venue string, lines []string) { // want markPass:"kvhotkey"
	lo.ForEach(lines, func(line string, _ int) {
		_ = guarded(func() error { return ns.PutString("pass:"+venue, line, nil) }) // want `this loop writes the same KV key on every iteration`
	})
}

func stampEach(ns *kv.Namespace, ids []string) { // want stampEach:"kvhotkey"
	lo.ForEach(ids, func(id string, _ int) {
		_ = ns.PutString("stamp:latest", id, nil) // want `this loop writes the same KV key on every iteration`
	})
}

// Quiet: each line under its own key.
func markLines(ns *kv.Namespace, venue string, lines []string) {
	lo.ForEach(lines, func(line string, i int) {
		_ = guarded(func() error { return ns.PutString("pass:"+venue+":"+strconv.Itoa(i), line, nil) })
	})
}

// Quiet: lo.Map's function builds keys; the write is one bulk of them.
func keysOf(venue string, lines []string) []string {
	return lo.Map(lines, func(line string, i int) string { return "pass:" + venue + ":" + strconv.Itoa(i) })
}

// Quiet: the line, captured from the visit, is the key.
func markEachLine(ns *kv.Namespace, lines []string) {
	lo.ForEach(lines, func(line string, _ int) {
		_ = guarded(func() error { return ns.PutString("line:"+line, "1", nil) })
	})
}
