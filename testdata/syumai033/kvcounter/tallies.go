package kvcounter

import (
	"errors"
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"
)

// Referrals counted in memory between flushes, in a map type of its own.
type Tally map[string]int

// Each partner's running total, published under a quota key: every
// instance publishes its own idea of it.
func (t Tally) Flush(ns *kv.Namespace, day string) error {
	var errs []error
	for partner, n := range t {
		errs = append(errs, ns.PutString("quota:partner:"+partner+":"+day, strconv.Itoa(n), nil)) // want `counter kept in KV: the key names a count`
	}
	return errors.Join(errs...)
}

// Download events folded into running totals, each published.
func recordDownloads(ns *kv.Namespace, totals map[string]int, events []string) error {
	for _, kit := range events {
		totals[kit]++
	}
	for kit, n := range totals {
		if err := ns.PutString("label:"+kit+":downloads", strconv.Itoa(n), nil); err != nil { // want `counter kept in KV: the key names a count`
			return err
		}
	}
	return nil
}

// Sizes of a batch, in a map type that names no tally.
type Sizes map[string]int

// Quiet: what a map of sizes holds is no count kept.
func (s Sizes) Publish(ns *kv.Namespace) error {
	for name, n := range s {
		if err := ns.PutString("quota:size:"+name, strconv.Itoa(n), nil); err != nil {
			return err
		}
	}
	return nil
}

func downloadsOf(ns *kv.Namespace, artist string) (int, error) {
	raw, err := ns.GetString("presskit:downloads:"+artist, nil)
	if err != nil || raw == "<null>" {
		return 0, err
	}
	return strconv.Atoi(raw)
}

// A helper that writes what it is given: the count is its caller's.
func setDownloads(ns *kv.Namespace, artist string, n int) error {
	return ns.PutString("presskit:downloads:"+artist, strconv.Itoa(n), nil)
}

func fetchKit(ns *kv.Namespace, artist string) error {
	n, err := downloadsOf(ns, artist)
	if err != nil {
		return err
	}
	return setDownloads(ns, artist, n+1) // want `counter kept in KV: this put writes back a count`
}
