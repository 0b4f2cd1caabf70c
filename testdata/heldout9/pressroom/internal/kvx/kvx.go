// Package kvx has small helpers over the Workers KV SDK for code that talks
// to namespaces directly instead of through store.Store.
package kvx

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Null is what GetString returns for a key that does not exist.
const Null = "<null>"

var (
	ErrMissing       = errors.New("kvx: key not found")
	ErrTooManyPages  = errors.New("kvx: listing exceeded its page budget")
	errUnknownDomain = errors.New("kvx: unknown namespace")
)

var (
	mu       sync.Mutex
	bindings = map[string]string{}
	opened   = map[string]*kv.Namespace{}
)

func init() {
	Register("main", "PRESSROOM")
	Register("stats", "STATS")
	Register("sessions", "EDITOR_SESSIONS")
}

// Register maps a logical namespace name to its wrangler binding.
func Register(name, binding string) {
	mu.Lock()
	defer mu.Unlock()
	bindings[name] = binding
}

// NS opens (once) and returns the namespace registered as name.
func NS(name string) (*kv.Namespace, error) {
	mu.Lock()
	defer mu.Unlock()
	if ns, ok := opened[name]; ok {
		return ns, nil
	}
	binding, ok := bindings[name]
	if !ok {
		return nil, fmt.Errorf("%w: %s", errUnknownDomain, name)
	}
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, err
	}
	opened[name] = ns
	return ns, nil
}

// GetJSON decodes the JSON document under key. A missing key yields an error
// wrapping ErrMissing.
func GetJSON[T any](ns *kv.Namespace, key string) (T, error) {
	var v T
	raw, err := ns.GetString(key, nil)
	if err != nil {
		return v, fmt.Errorf("kvx: get %s: %w", key, err)
	}
	if raw == "" { // EXPECT kvnull
		return v, fmt.Errorf("kvx: %s: %w", key, ErrMissing)
	}
	if err := json.Unmarshal([]byte(raw), &v); err != nil {
		return v, fmt.Errorf("kvx: decode %s: %w", key, err)
	}
	return v, nil
}

// PutJSON encodes v under key; ttl 0 keeps it forever.
func PutJSON[T any](ns *kv.Namespace, key string, v T, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return ns.PutString(key, string(b), opts)
}

// AppendLine adds one line to a newline-separated log kept for a week.
func AppendLine(ns *kv.Namespace, key, line string) error {
	cur, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if cur == Null {
		cur = ""
	}
	return ns.PutString(key, cur+line+"\n", &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600}) // EXPECT kvrace
}

// EachKey calls fn for the keys under prefix, reading at most maxPages pages.
func EachKey(ns *kv.Namespace, prefix string, maxPages int, fn func(*kv.ListKey) error) error {
	opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
	for page := 0; page < maxPages; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return ErrTooManyPages
}
