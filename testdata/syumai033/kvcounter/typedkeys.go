package kvcounter

import (
	"strconv"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/recstore"
)

// A count read and written through one typed key (a fmt.Stringer), by
// functions of another package: the same key for the same value.
func noteBadScan(ns *kv.Namespace, ip string) error {
	k := recstore.Scope("ratelimit").Child("scan", ip)
	raw, ok, err := recstore.Get(ns, k)
	if err != nil {
		return err
	}
	attempts := 0
	if ok {
		attempts, _ = strconv.Atoi(raw)
	}
	return recstore.Put(ns, k, strconv.Itoa(attempts+1)) // want `counter kept in KV`
}

// Quiet: the count is written under another typed key.
func rollScans(ns *kv.Namespace, ip string) error {
	raw, _, err := recstore.Get(ns, recstore.Scope("ratelimit").Child("scan", ip))
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(raw)
	return recstore.Put(ns, recstore.Scope("history").Child("scan", ip), strconv.Itoa(n+1))
}

// Quiet, and no crash: a wrapper that keys by its string argument
// converted to a typed key.
func logScan(ns *kv.Namespace, ip string) error {
	return recstore.Append(ns, ip, "scan")
}

// attempts reads the count kept under the scan key of ip, and returns
// the key it read with the count.
func attempts(ns *kv.Namespace, ip string) (recstore.Scope, int, error) {
	k := recstore.Scope("ratelimit").Child("scan", ip)
	raw, ok, err := recstore.Get(ns, k)
	if err != nil || !ok {
		return k, 0, err
	}
	n, err := strconv.Atoi(raw)
	return k, n, err
}

// A count read by a helper that returns the key with it, written back
// under that key.
func noteScan(ns *kv.Namespace, ip string) error {
	k, n, err := attempts(ns, ip)
	if err != nil {
		return err
	}
	return recstore.Put(ns, k, strconv.Itoa(n+1)) // want `counter kept in KV`
}

// Quiet: the count is copied under another key.
func archiveScans(ns *kv.Namespace, ip string) error {
	_, n, err := attempts(ns, ip)
	if err != nil {
		return err
	}
	return recstore.Put(ns, recstore.Scope("history").Child("scan", ip), strconv.Itoa(n+1))
}
