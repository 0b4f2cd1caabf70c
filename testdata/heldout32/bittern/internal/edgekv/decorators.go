//go:build js && wasm

package edgekv

import (
	"context"
	"strings"
	"sync"
	"time"
)

// Metered reports every successful put to Sink, by key family (the first
// key segment). Everything else is promoted from the wrapped store.
type Metered struct {
	KV
	Sink func(family string, bytes int)
}

func (m Metered) Put(ctx context.Context, key, value string, ttl time.Duration) error {
	err := m.KV.Put(ctx, key, value, ttl)
	if err == nil && m.Sink != nil {
		family, _, _ := strings.Cut(key, ":")
		m.Sink(family, len(value))
	}
	return err
}

// Scoped places every key built through Key under Scope, so a show's
// handlers cannot build keys of another show by accident.
type Scoped struct {
	KV
	Scope string
}

func (s Scoped) Key(parts ...string) string {
	return s.KV.Key(append([]string{s.Scope}, parts...)...)
}

// Memo remembers Lookup results for TTL, for code that looks up the same
// keys several times while handling one request.
type Memo struct {
	KV
	TTL time.Duration

	mu      sync.Mutex
	entries map[string]memoEntry
}

type memoEntry struct {
	value   string
	ok      bool
	expires time.Time
}

func (m *Memo) Lookup(ctx context.Context, key string) (string, bool, error) {
	now := time.Now()
	m.mu.Lock()
	e, hit := m.entries[key]
	m.mu.Unlock()
	if hit && now.Before(e.expires) {
		return e.value, e.ok, nil
	}
	v, ok, err := m.KV.Lookup(ctx, key)
	if err != nil {
		return "", false, err
	}
	m.mu.Lock()
	if m.entries == nil {
		m.entries = make(map[string]memoEntry)
	}
	m.entries[key] = memoEntry{value: v, ok: ok, expires: now.Add(m.TTL)}
	m.mu.Unlock()
	return v, ok, nil
}
