// Package routing decides which KV namespace holds which data. Each
// district's permits and fines live in the district's own namespace; data
// keyed by plate or zone is spread over a fixed set of shard namespaces.
package routing

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"

	"example.com/smew/internal/kvstore"
)

// Table maps districts and hashed keys to namespace identifiers (a binding
// name at the edge, a namespace id in the back office).
type Table struct {
	districts map[string]string
	shards    []string
	shared    string
}

// NewTable builds a table. districts maps an upper-case district code to a
// namespace; shared is used for unknown districts; shards must not be empty.
func NewTable(districts map[string]string, shared string, shards []string) (*Table, error) {
	if len(shards) == 0 {
		return nil, fmt.Errorf("routing: no shard namespaces")
	}
	t := &Table{districts: make(map[string]string, len(districts)), shards: append([]string(nil), shards...), shared: shared}
	for code, ns := range districts {
		t.districts[strings.ToUpper(code)] = ns
	}
	return t, nil
}

// District returns the namespace of a district.
func (t *Table) District(code string) string {
	if ns, ok := t.districts[strings.ToUpper(code)]; ok {
		return ns
	}
	return t.shared
}

// Districts returns every district namespace once, including the shared one.
func (t *Table) Districts() []string {
	seen := map[string]bool{t.shared: true}
	out := []string{t.shared}
	for _, ns := range t.districts {
		if !seen[ns] {
			seen[ns] = true
			out = append(out, ns)
		}
	}
	return out
}

// Shard returns the shard namespace responsible for key.
func (t *Table) Shard(key string) string {
	h := fnv.New32a()
	h.Write([]byte(key))
	return t.shards[h.Sum32()%uint32(len(t.shards))]
}

// Stores opens one kvstore.Store per namespace on first use, through the
// registry, using the configured scheme (kv in production, mem locally).
type Stores struct {
	Table  *Table
	reg    *kvstore.Registry
	scheme string

	mu   sync.Mutex
	open map[string]kvstore.Store
}

// NewStores returns a lazily populated set of stores.
func NewStores(t *Table, reg *kvstore.Registry, scheme string) *Stores {
	return &Stores{Table: t, reg: reg, scheme: scheme, open: map[string]kvstore.Store{}}
}

// Namespace returns the store for a namespace.
func (s *Stores) Namespace(ctx context.Context, ns string) (kvstore.Store, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if st, ok := s.open[ns]; ok {
		return st, nil
	}
	st, err := s.reg.Open(ctx, s.scheme+"://"+ns)
	if err != nil {
		return nil, err
	}
	s.open[ns] = st
	return st, nil
}

// Shard returns the shard store responsible for key.
func (s *Stores) Shard(ctx context.Context, key string) (kvstore.Store, error) {
	return s.Namespace(ctx, s.Table.Shard(key))
}
