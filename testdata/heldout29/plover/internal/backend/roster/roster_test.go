package roster

import (
	"context"
	"strings"
	"testing"

	"example.com/plover/internal/backend/store"
	"example.com/plover/internal/league"
)

// countingNS wraps a store.Namespace and counts writes per key.
type countingNS struct {
	store.Namespace
	writes map[string]int
	prefix string
}

func (c *countingNS) Put(ctx context.Context, key string, v []byte, o *store.PutOpts) error {
	c.writes[c.prefix+key]++
	return c.Namespace.Put(ctx, key, v, o)
}

func (c *countingNS) Prefixed(p string) store.Namespace {
	return &countingNS{Namespace: c.Namespace.Prefixed(p), writes: c.writes, prefix: c.prefix + p}
}

type mapNS struct {
	data   map[string][]byte
	prefix string
}

func (m *mapNS) Get(_ context.Context, k string) ([]byte, error) {
	v, ok := m.data[m.prefix+k]
	if !ok {
		return nil, store.ErrNotFound
	}
	return v, nil
}
func (m *mapNS) Put(_ context.Context, k string, v []byte, _ *store.PutOpts) error {
	m.data[m.prefix+k] = v
	return nil
}
func (m *mapNS) Delete(_ context.Context, k string) error { delete(m.data, m.prefix+k); return nil }
func (m *mapNS) List(context.Context, string, string, int) (store.Page, error) {
	return store.Page{}, nil
}
func (m *mapNS) PutMany(context.Context, []store.Item) error { return nil }
func (m *mapNS) Prefixed(p string) store.Namespace {
	return &mapNS{data: m.data, prefix: m.prefix + p}
}

func TestCreateTeamRejectsTakenSlug(t *testing.T) {
	ctx := context.Background()
	ns := &countingNS{Namespace: &mapNS{data: map[string][]byte{}}, writes: map[string]int{}}
	s := New(ns, &league.Bus{})
	if _, err := s.CreateTeam(ctx, CreateTeamReq{Season: "2025", Name: "River Otters"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateTeam(ctx, CreateTeamReq{Season: "2025", Name: "river otters"}); err == nil {
		t.Fatal("second team with the same slug was accepted")
	}
	if ns.writes["slug:river-otters"] != 1 {
		t.Fatalf("slug writes = %v", ns.writes)
	}
}

func TestWaiverTextIsComplete(t *testing.T) {
	if !strings.HasSuffix(waiverText, "make-up matches.") {
		t.Fatal("waiver text truncated")
	}
}
