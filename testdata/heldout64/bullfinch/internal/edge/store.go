//go:build js && wasm

// Package edge is the storefront Worker: it routes custom-domain traffic
// to shops, evaluates flags at the edge and rolls up analytics on a cron.
package edge

import (
	"encoding/json"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// nullValue is how a missing key comes back from GetString.
const nullValue = "<null>"

// Env holds the Worker's bindings.
type Env struct {
	Shops *cloudflare.KVNamespace
	Flags *cloudflare.KVNamespace
	Stats *cloudflare.KVNamespace
}

// OpenEnv binds the KV namespaces from wrangler.toml.
func OpenEnv() (*Env, error) {
	shops, err := cloudflare.NewKVNamespace("SHOPS")
	if err != nil {
		return nil, err
	}
	flags, err := cloudflare.NewKVNamespace("FLAGS")
	if err != nil {
		return nil, err
	}
	stats, err := cloudflare.NewKVNamespace("STATS")
	if err != nil {
		return nil, err
	}
	return &Env{Shops: shops, Flags: flags, Stats: stats}, nil
}

// lookup reads key and reports whether it exists.
func lookup(ns *cloudflare.KVNamespace, key string, cacheTTL int) (string, bool, error) {
	v, err := ns.GetString(key, &cloudflare.KVNamespaceGetOptions{CacheTTL: cacheTTL})
	if err != nil {
		return "", false, err
	}
	if v == nullValue {
		return "", false, nil
	}
	return v, true, nil
}

// putJSON stores v under key for ttl.
func putJSON(ns *cloudflare.KVNamespace, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(b), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// putJSONAtLeastMinute is putJSON for lifetimes derived from request data.
func putJSONAtLeastMinute(ns *cloudflare.KVNamespace, key string, v any, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return putJSON(ns, key, v, ttl)
}

// bump adds one to the integer stored at key. Shared by the fetch handler
// and the cron rollup.
func bump(ns *cloudflare.KVNamespace, key string, ttl time.Duration) (int, error) {
	n := 0
	v, ok, err := lookup(ns, key, 0)
	if err != nil {
		return 0, err
	}
	if ok {
		n, _ = strconv.Atoi(v)
	}
	n++
	return n, ns.PutString(key, strconv.Itoa(n), &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}) // EXPECT kvcounter|kvrace
}
