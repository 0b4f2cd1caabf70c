//go:build js && wasm

// Package store holds the Worker's KV bindings and the few helpers that the
// feature packages share to read and write them.
//
// Bindings are resolved on first use, inside a request: the runtime context
// that NewKVNamespace reads does not exist while package variables are
// initialised.
package store

import (
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/quizfleet/dipper/internal/kvkey"
)

func bind(name string) func() *cloudflare.KVNamespace {
	return sync.OnceValue(func() *cloudflare.KVNamespace {
		ns, err := cloudflare.NewKVNamespace(name)
		if err != nil {
			panic(fmt.Sprintf("store: kv binding %s: %v", name, err))
		}
		return ns
	})
}

var (
	// Lobbies holds lobbies, join codes, the event journal and the lobby
	// read models.
	Lobbies = bind("LOBBIES")
	// Sessions holds player and host sessions and sign-in tokens.
	Sessions = bind("SESSIONS")
	// Cache holds copies of data whose source of truth is D1 or the CMS.
	Cache = bind("CACHE")
	// Stats holds operational numbers shown on the ops dashboard.
	Stats = bind("STATS")
)

// Null is what KVNamespace.GetString returns for a key that does not exist:
// syscall/js renders the JavaScript null as "<null>".
const Null = "<null>"

// Get reads key as a string and reports whether it exists.
func Get(ns *cloudflare.KVNamespace, key string) (string, bool, error) {
	v, err := ns.GetString(key, nil)
	if err != nil {
		return "", false, err
	}
	if v == Null {
		return "", false, nil
	}
	return v, true, nil
}

// Load decodes the JSON stored under v's derived key into v. The fields that
// make up the key must be set; it reports false when the key does not exist.
func Load(ns *cloudflare.KVNamespace, v any) (bool, error) {
	raw, ok, err := Get(ns, kvkey.Of(v))
	if err != nil || !ok {
		return false, err
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return false, fmt.Errorf("store: decode %s: %w", kvkey.Of(v), err)
	}
	return true, nil
}

// Save writes v as JSON under its derived key. A zero ttl keeps it forever.
func Save(ns *cloudflare.KVNamespace, v any, ttl time.Duration) error {
	return PutJSON(ns, kvkey.Of(v), v, ttl)
}

// PutJSON writes v as JSON under key. A zero ttl keeps it forever.
func PutJSON(ns *cloudflare.KVNamespace, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: encode %s: %w", key, err)
	}
	var opts *cloudflare.KVNamespacePutOptions
	if ttl > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return ns.PutString(key, string(b), opts)
}

// CachePut writes a derived copy of v under key. Copies live at least a
// minute, the shortest expiry KV accepts.
func CachePut(ns *cloudflare.KVNamespace, key string, v any, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return PutJSON(ns, key, v, ttl)
}

// Delete removes key.
func Delete(ns *cloudflare.KVNamespace, key string) error {
	return ns.Delete(key)
}
