package kvcounter

import (
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/plans"
)

// quotaWindow names the quota window of a plan that holds t: a key that a
// policy of another package picks, the same for the same plan and time.
func quotaWindow(t time.Time, p plans.Plan) string {
	return strconv.FormatInt(t.UTC().Truncate(p.Window()).Unix(), 10)
}

// A send quota counted per window: read, add, written back.
func reserveSends(ns *kv.Namespace, sender string, p plans.Plan, n int) error {
	key := "sends:" + sender + ":" + quotaWindow(time.Now(), p)
	used := 0
	if v, err := ns.GetString(key, nil); err == nil && v != "<null>" {
		used, _ = strconv.Atoi(v)
	}
	return ns.PutString(key, strconv.Itoa(used+n), nil) // want `counter kept in KV: this put writes back a count read from the same key`
}
