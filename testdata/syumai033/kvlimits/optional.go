package kvlimits

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// putRecord writes v under key, or, when the caller leaves key empty,
// under the key v names itself.
func putRecord(ns *kv.Namespace, key string, v any) error {
	if k, ok := v.(interface{ CacheKey() string }); ok && key == "" {
		key = k.CacheKey()
	}
	opts := &kv.PutOptions{}
	if e, ok := v.(interface{ Expiry() time.Duration }); ok {
		opts.ExpirationTTL = int(max(e.Expiry(), time.Minute).Seconds())
	}
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return ns.PutString(key, string(raw), opts)
}

type connection struct{ Tenant, Provider string }

func (c connection) CacheKey() string { return "conn:" + c.Tenant + ":" + c.Provider }

type grant struct{ Tenant string }

// Quiet: a connection names its own key.
func saveConnection(ns *kv.Namespace, c connection) error {
	return putRecord(ns, "", c)
}

// Quiet through one more wrapper, which passes the empty key on.
func connect(ns *kv.Namespace, tenant, provider string) error {
	return saveConnection(ns, connection{Tenant: tenant, Provider: provider})
}

// A grant names no key of its own: the empty key reaches KV.
func saveGrant(ns *kv.Namespace, g grant) error {
	return putRecord(ns, "", g) // want `KV refuses the key ""`
}
