package kvcounter

import (
	"strconv"
	"time"

	"kvlint.test/syumai033/kvstore"
)

// A helper that asks only for the methods it uses, as an interface
// literal; its callers give it the KV adapter.
func bumpViews(kv interface {
	Get(key string) (string, error)
	Set(key, value string, ttl time.Duration) error
}, key string) error {
	raw, err := kv.Get(key)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(raw)
	return kv.Set(key, strconv.Itoa(n+1), time.Hour) // want `counter kept in KV`
}

func viewed(s *kvstore.Store, page string) error {
	return bumpViews(s, "views:"+page)
}

// Quiet: the same helper, given only a map of the package's own.
type memCounts map[string]string

func (m memCounts) Get(key string) (string, error) { return m[key], nil }

func (m memCounts) Set(key, value string, _ time.Duration) error {
	m[key] = value
	return nil
}

func bumpLocal(key string, v interface {
	Get(key string) (string, error)
	Set(key, value string, ttl time.Duration) error
}) error {
	raw, _ := v.Get(key)
	n, _ := strconv.Atoi(raw)
	return v.Set(key, strconv.Itoa(n+1), time.Hour)
}

func viewedLocally(page string) error {
	return bumpLocal("views:"+page, memCounts{})
}
