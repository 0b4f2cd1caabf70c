// Package kvx has small helpers around cloudflare.KVNamespace.
package kvx

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// Open returns the namespace bound as name.
func Open(name string) (*cloudflare.KVNamespace, error) {
	ns, err := cloudflare.NewKVNamespace(name)
	if err != nil {
		return nil, fmt.Errorf("kv binding %s: %w", name, err)
	}
	return ns, nil
}

// Load returns the value at key and whether it exists.
func Load(ns *cloudflare.KVNamespace, key string) (string, bool, error) {
	v, err := ns.GetString(key, nil)
	if err != nil {
		return "", false, err
	}
	if v == "<null>" {
		return "", false, nil
	}
	return v, true, nil
}

// LoadJSON decodes the value at key into dst.
func LoadJSON(ns *cloudflare.KVNamespace, key string, dst any) (bool, error) {
	v, ok, err := Load(ns, key)
	if err != nil || !ok {
		return false, err
	}
	return true, json.Unmarshal([]byte(v), dst)
}

// Save stores value at key for ttlSeconds seconds (0: no expiry).
func Save(ns *cloudflare.KVNamespace, key, value string, ttlSeconds int) error {
	var opts *cloudflare.KVNamespacePutOptions
	if ttlSeconds > 0 {
		opts = &cloudflare.KVNamespacePutOptions{ExpirationTTL: ttlSeconds}
	}
	return ns.PutString(key, value, opts)
}

// SaveJSON encodes v and stores it for ttl.
func SaveJSON(ns *cloudflare.KVNamespace, key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return Save(ns, key, string(b), int(ttl/time.Second))
}

// SaveUntil stores value at key until the given time.
func SaveUntil(ns *cloudflare.KVNamespace, key, value string, until time.Time) error {
	return ns.PutString(key, value, &cloudflare.KVNamespacePutOptions{Expiration: int(until.Unix())})
}

// Cache stores a cache entry; KV's floor for TTLs is one minute.
func Cache(ns *cloudflare.KVNamespace, key, value string, ttl time.Duration) error {
	ttl = max(ttl, time.Minute)
	opts := cloudflare.KVNamespacePutOptions{}
	opts.ExpirationTTL = int(ttl.Seconds())
	return ns.PutString(key, value, &opts)
}

// Remove deletes key.
func Remove(ns *cloudflare.KVNamespace, key string) error {
	return ns.Delete(key)
}
