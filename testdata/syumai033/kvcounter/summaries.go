package kvcounter

import (
	"encoding/json"

	"github.com/syumai/workers/cloudflare/kv"
)

type usageSummary struct {
	Total int64
	Days  map[string]int64
}

// Quiet: a summary of day counts read before, summed anew into a local
// struct on each call and cached; no count is kept in it from call to
// call.
func summarize(ns *kv.Namespace, customer string, days []string, counts []int64) error {
	sum := usageSummary{Days: map[string]int64{}}
	for i, d := range days {
		sum.Days[d] = counts[i]
		sum.Total += counts[i]
	}
	b, _ := json.Marshal(sum)
	return ns.PutString("usage:summary:"+customer, string(b), nil)
}

type usageMeter struct {
	ns   *kv.Namespace
	seen usageSummary
}

// A total kept in the usageMeter from call to call, written whole.
func (m *usageMeter) record(customer string, n int64) error {
	m.seen.Total += n
	b, _ := json.Marshal(m.seen)
	return m.ns.PutString("usage:"+customer, string(b), nil) // want `counter kept in KV`
}
