package kvnull

import (
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

// A threshold parsed with its error dropped: a missing key, "<null>",
// reads as 0 and rejects every review.
func threshold(ns *kv.Namespace) float64 {
	raw, _ := ns.GetString("moderation:auto-hide-threshold", nil) // want `a missing key reaches this value's parse, whose error is dropped`
	th, _ := strconv.ParseFloat(raw, 64)
	return th
}

// Quiet: a count that is missing is zero, and a count written back is
// kvcounter's.
func views(ns *kv.Namespace, page string) int {
	raw, _ := ns.GetString("views:"+page, nil)
	n, _ := strconv.Atoi(raw)
	return n
}

func bumpStreak(ns *kv.Namespace, user string) error {
	raw, _ := ns.GetString("streak:"+user, nil)
	n, _ := strconv.Atoi(raw)
	return ns.PutString("streak:"+user, strconv.Itoa(n+1), nil)
}
