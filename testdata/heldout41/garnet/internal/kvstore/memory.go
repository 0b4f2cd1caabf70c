package kvstore

import (
	"context"
	"sort"
	"strings"
	"sync"

	"github.com/cloudflare/cloudflare-go"
)

type missing struct{ key string }

func (m missing) Error() string { return "kv: key not found: " + m.key }

// memDriver is the in-process driver used by local development and tests.
type memDriver struct {
	mu   sync.Mutex
	data map[string][]byte
}

func newMemDriver() *memDriver { return &memDriver{data: map[string][]byte{}} }

func (m *memDriver) get(_ context.Context, ns, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.data[ns+"\x00"+key]
	if !ok {
		return nil, missing{key: key}
	}
	return append([]byte(nil), v...), nil
}

func (m *memDriver) put(_ context.Context, ns, key string, val []byte) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[ns+"\x00"+key] = append([]byte(nil), val...)
	return nil
}

func (m *memDriver) bulk(ctx context.Context, ns string, pairs []*cloudflare.WorkersKVPair) error {
	for _, p := range pairs {
		_ = m.put(ctx, ns, p.Key, []byte(p.Value))
	}
	return nil
}

func (m *memDriver) del(_ context.Context, ns, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, ns+"\x00"+key)
	return nil
}

func (m *memDriver) delMany(ctx context.Context, ns string, keys []string) error {
	for _, k := range keys {
		_ = m.del(ctx, ns, k)
	}
	return nil
}

func (m *memDriver) list(_ context.Context, ns string, p cloudflare.ListWorkersKVsParams) (Page, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	for k := range m.data {
		n, ok := strings.CutPrefix(k, ns+"\x00")
		if ok && strings.HasPrefix(n, p.Prefix) && n > p.Cursor {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	limit := p.Limit
	if limit <= 0 {
		limit = 1000
	}
	var page Page
	for i, n := range names {
		if i == limit {
			page.Cursor = page.Keys[len(page.Keys)-1].Name
			break
		}
		page.Keys = append(page.Keys, KeyInfo{Name: n})
	}
	return page, nil
}
