package kvcounter

import (
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

type gate struct {
	ns    *kv.Namespace
	scans map[string]int
}

// A count kept in memory and written whole, under a key that names a
// count run together with what it counts.
func (g *gate) admit(lane string) error {
	g.scans[lane]++
	return g.ns.PutString("stats:scancount:"+lane, strconv.Itoa(g.scans[lane]), nil) // want `counter kept in KV: the key names a count`
}

// An account's balance and a discount are no counts.
func (g *gate) charge(id string, balance, price int) error {
	if err := g.ns.PutString("account:"+id, strconv.Itoa(balance-price), nil); err != nil {
		return err
	}
	return g.ns.PutString("discount:"+id, strconv.Itoa(price/10+1), nil)
}

// Page views are a count; previews and reviews are things, however they
// are tallied before they are written.
func (g *gate) publish(lane string, live, rated int) error {
	if err := g.ns.PutString("stats:pageviews:"+lane, strconv.Itoa(live+g.scans[lane]), nil); err != nil { // want `counter kept in KV: the key names a count`
		return err
	}
	if err := g.ns.PutString("edge:previews:live", strconv.Itoa(live+len(g.scans)), nil); err != nil {
		return err
	}
	return g.ns.PutString("shop:reviews:"+lane, strconv.Itoa(rated+1), nil)
}
