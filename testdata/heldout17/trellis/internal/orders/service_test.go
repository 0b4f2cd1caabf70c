package orders

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore"
)

// memStore is an in-memory kvstore with listing and bulk writes.
type memStore struct {
	mu   sync.Mutex
	data map[string][]byte
	meta map[string]any
}

func newMemStore() *memStore { return &memStore{data: map[string][]byte{}, meta: map[string]any{}} }

func (m *memStore) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.data[key]
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return slices.Clone(v), nil
}

func (m *memStore) Put(_ context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key], m.meta[key] = slices.Clone(value), opts.Metadata
	return nil
}

func (m *memStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

func (m *memStore) List(_ context.Context, opts kvstore.ListOptions) (kvstore.Page, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var names []string
	for k := range m.data {
		if strings.HasPrefix(k, opts.Prefix) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	start, _ := strconv.Atoi(opts.Cursor)
	limit := opts.Limit
	if limit <= 0 {
		limit = kvstore.MaxPageSize
	}
	end := min(start+limit, len(names))
	page := kvstore.Page{Complete: end == len(names)}
	for _, k := range names[start:end] {
		page.Keys = append(page.Keys, kvstore.KeyInfo{Name: k, Metadata: m.meta[k]})
	}
	if !page.Complete {
		page.Cursor = strconv.Itoa(end)
	}
	return page, nil
}

func (m *memStore) PutMany(ctx context.Context, pairs []kvstore.Pair) ([]string, error) {
	for _, p := range pairs {
		if err := m.Put(ctx, p.Key, p.Value, p.Opts); err != nil {
			return nil, err
		}
	}
	return nil, nil
}

type allowAll struct{}

func (allowAll) Allow(context.Context, string, int64) error { return nil }

type countingTally struct{ n int64 }

func (c *countingTally) Record(_ context.Context, _ string, n int64) error {
	c.n += n
	return nil
}

type memCounters struct{ counts map[string]int64 }

func (m *memCounters) Add(_ context.Context, name string, delta int64) (int64, error) {
	m.counts[name] += delta
	return m.counts[name], nil
}

func newTestService() (*Service, *memStore) {
	st := newMemStore()
	archive := newMemStore()
	repo := NewArchivingRepository(NewRepository(st), archive)
	clk := clock.Fixed(time.Date(2025, 4, 12, 9, 30, 0, 0, time.UTC))
	return NewService(st, repo, &memCounters{counts: map[string]int64{}}, allowAll{}, &countingTally{}, clk), st
}

func TestPlaceAndAdvance(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService()
	o, err := svc.Place(ctx, PlaceOrder{Tenant: "fernhill", Customer: "c-17", Lines: []Line{
		{SKU: "ACER-PALM-3L", Qty: 2, UnitCents: 2450},
		{SKU: "LAV-ANG-9CM", Qty: 6, UnitCents: 399},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if o.TotalCents != 2*2450+6*399 {
		t.Fatalf("total = %d", o.TotalCents)
	}
	got, err := svc.Advance(ctx, AdvanceOrder{Tenant: "fernhill", OrderID: o.ID, To: Confirmed, Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != Confirmed || len(got.History) != 1 {
		t.Fatalf("status %s, history %v", got.Status, got.History)
	}
	_, err = svc.Advance(ctx, AdvanceOrder{Tenant: "fernhill", OrderID: o.ID, To: Delivered, Actor: "test"})
	if !errors.Is(err, ErrBadTransition) {
		t.Fatalf("want ErrBadTransition, got %v", err)
	}
}

func TestPageUsesMetadata(t *testing.T) {
	ctx := context.Background()
	svc, _ := newTestService()
	for _, c := range []string{"c-1", "c-2", "c-3"} {
		if _, err := svc.Place(ctx, PlaceOrder{Tenant: "fernhill", Customer: c, Lines: []Line{{SKU: "X", Qty: 1, UnitCents: 100}}}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := svc.Page(ctx, ListOrders{Tenant: "fernhill"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Orders) != 3 || page.Cursor != "" {
		t.Fatalf("page = %+v", page)
	}
	for _, s := range page.Orders {
		if s.Status != Pending || s.TotalCents != 100 {
			t.Fatalf("summary = %+v", s)
		}
	}
}

func TestMissingOrder(t *testing.T) {
	svc, _ := newTestService()
	_, err := svc.repo.Load(context.Background(), keys.Order{Tenant: "fernhill", ID: "ord_missing"})
	if !errors.Is(err, ErrNotFound) {
		t.Fatalf("want ErrNotFound, got %v", err)
	}
}
