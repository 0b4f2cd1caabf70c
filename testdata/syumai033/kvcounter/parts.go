package kvcounter

import (
	"strconv"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

type customerTotal struct {
	customer string
	total    int64
}

func totalsFor(customers []string, days map[string][]int64) []customerTotal {
	out := make([]customerTotal, 0, len(customers))
	for _, c := range customers {
		var sum int64
		for _, n := range days[c] {
			sum += n
		}
		out = append(out, customerTotal{customer: c, total: sum})
	}
	return out
}

// Quiet: the index holds only the customers' names; the sums built
// beside them in each struct are not in it.
func writeUsageIndex(ns *kv.Namespace, customers []string, days map[string][]int64) error {
	var index []string
	for _, t := range totalsFor(customers, days) {
		index = append(index, t.customer)
	}
	return ns.PutString("usage:index", strings.Join(index, ","), nil)
}

// The same struct's sum, kept in a total from call to call.
type usageTotals struct {
	ns   *kv.Namespace
	last customerTotal
}

func (u *usageTotals) add(customer string, n int64) error {
	u.last = customerTotal{customer: customer, total: u.last.total + n}
	return u.ns.PutString("usage:total:"+customer, strconv.FormatInt(u.last.total, 10), nil) // want `counter kept in KV`
}

// Quiet: the name of that struct, under the same words.
func (u *usageTotals) name(customer string) error {
	u.last = customerTotal{customer: customer, total: u.last.total + 1}
	return u.ns.PutString("usage:last:"+customer, u.last.customer, nil)
}
