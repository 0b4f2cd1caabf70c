package kvstore

import (
	"context"
	"net/url"
	"sync"
	"time"
)

// Mem is an in-process store for local runs ("mem://"). It implements
// neither BatchWriter nor Lister, so local runs take the fallback paths.
type Mem struct {
	mu   sync.Mutex
	data map[string]memEntry
}

type memEntry struct {
	value   []byte
	expires time.Time
}

// OpenMem is the Constructor for the "mem" scheme.
func OpenMem(*url.URL) (Store, error) { return &Mem{data: make(map[string]memEntry)}, nil }

func (m *Mem) Get(_ context.Context, key string) Result[Optional[[]byte]] {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.data[key]
	if !ok || (!e.expires.IsZero() && time.Now().After(e.expires)) {
		return Ok(None[[]byte]())
	}
	return Ok(Some(append([]byte(nil), e.value...)))
}

func (m *Mem) Put(_ context.Context, key string, value []byte, ttl time.Duration) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := memEntry{value: append([]byte(nil), value...)}
	if ttl > 0 {
		e.expires = time.Now().Add(ttl)
	}
	m.data[key] = e
	return nil
}

func (m *Mem) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}
