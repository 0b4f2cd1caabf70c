// Package memkv is an in-memory ports.Backend for local runs. It keeps the
// behaviour the services rely on: expiry, sorted listing with cursors and
// metadata.
package memkv

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/heron/internal/ports"
)

type record struct {
	value    []byte
	meta     json.RawMessage
	expireAt time.Time
}

// Store holds every namespace in one map keyed by "namespace\x00key".
type Store struct {
	mu  sync.Mutex
	m   map[string]record
	now func() time.Time
}

// New returns an empty Store.
func New() *Store { return &Store{m: make(map[string]record), now: time.Now} }

// Namespace returns a handle on namespace id.
func (s *Store) Namespace(id string) ports.Handle { return &handle{s: s, ns: id + "\x00"} }

type handle struct {
	s        *Store
	ns       string
	prefix   string
	lifetime time.Duration
}

func (h *handle) Name() string                   { return strings.TrimSuffix(h.ns, "\x00") + "/" + h.prefix }
func (h *handle) full(k string) string           { return h.ns + h.prefix + k }
func (h *handle) Prefixed(p string) ports.Handle { cp := *h; cp.prefix += p; return &cp }

func (h *handle) WithLifetime(d time.Duration) ports.Handle { cp := *h; cp.lifetime = d; return &cp }

func (h *handle) live(r record) bool { return r.expireAt.IsZero() || h.s.now().Before(r.expireAt) }

func (h *handle) Get(ctx context.Context, k string) ([]byte, error) {
	e, err := h.GetEntry(ctx, k)
	return e.Value, err
}

func (h *handle) GetEntry(_ context.Context, k string) (ports.Entry, error) {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	r, ok := h.s.m[h.full(k)]
	if !ok || !h.live(r) {
		return ports.Entry{}, ports.ErrNotFound
	}
	return ports.Entry{Value: slices.Clone(r.value), Metadata: r.meta}, nil
}

func (h *handle) Put(_ context.Context, k string, v []byte, opts *ports.PutOpts) error {
	r := record{value: slices.Clone(v), expireAt: opts.Deadline()}
	if ttl := opts.Lifetime(h.lifetime); ttl > 0 {
		r.expireAt = h.s.now().Add(ttl)
	}
	if md := opts.Meta(); md != nil {
		b, err := json.Marshal(md)
		if err != nil {
			return err
		}
		r.meta = b
	}
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	h.s.m[h.full(k)] = r
	return nil
}

func (h *handle) Delete(_ context.Context, k string) error {
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	delete(h.s.m, h.full(k))
	return nil
}

func (h *handle) List(_ context.Context, req ports.ListReq) (ports.Page, error) {
	limit := req.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	start, _ := strconv.Atoi(req.Cursor)
	h.s.mu.Lock()
	defer h.s.mu.Unlock()
	var names []string
	for name, r := range h.s.m {
		if strings.HasPrefix(name, h.full(req.Prefix)) && h.live(r) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	start = min(start, len(names))
	end := min(start+limit, len(names))
	page := ports.Page{Complete: end == len(names)}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	for _, name := range names[start:end] {
		r := h.s.m[name]
		page.Keys = append(page.Keys, ports.Key{Name: name[len(h.ns)+len(h.prefix):], Expiration: r.expireAt, Metadata: r.meta})
	}
	return page, nil
}

func (h *handle) BulkGet(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := make(map[string][]byte, len(keys))
	for _, k := range keys {
		if v, err := h.Get(ctx, k); err == nil {
			out[k] = v
		}
	}
	return out, nil
}

func (h *handle) BulkPut(ctx context.Context, items []ports.Item) error {
	for _, it := range items {
		if err := h.Put(ctx, it.Key, it.Value, it.Opts); err != nil {
			return err
		}
	}
	return nil
}
