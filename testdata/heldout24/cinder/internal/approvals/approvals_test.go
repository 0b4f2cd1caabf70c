package approvals_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/cinder/internal/approvals"
	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/domain"
	"example.com/cinder/internal/storage"
	"example.com/cinder/internal/storage/memstore"
)

// recordingStore counts writes and otherwise delegates to the embedded store.
type recordingStore struct {
	storage.Store
	puts int
}

func (r *recordingStore) Put(ctx context.Context, key string, v []byte, opts ...storage.PutOption) error {
	r.puts++
	return r.Store.Put(ctx, key, v, opts...)
}

func TestDecideAdvancesChain(t *testing.T) {
	clk := clock.NewManual(time.Date(2025, 6, 1, 9, 0, 0, 0, time.UTC))
	store := &recordingStore{Store: memstore.New(clk)}
	e := approvals.New(store, clk, approvals.Options{LockTTL: time.Minute})
	ctx := context.Background()
	wf, err := e.Start(ctx, domain.Expense{ID: "e1", TenantID: "acme"}, []string{"ann", "bob"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Decide(ctx, "acme", wf.ID, "bob", domain.DecisionApproved, ""); !errors.Is(err, approvals.ErrNotApprover) {
		t.Fatalf("out of turn: %v", err)
	}
	got, err := e.Decide(ctx, "acme", wf.ID, "ann", domain.DecisionApproved, "ok")
	if err != nil {
		t.Fatal(err)
	}
	if got.Current != 1 || store.puts != 2 {
		t.Fatalf("current=%d puts=%d", got.Current, store.puts)
	}
	pending, err := e.PendingFor(ctx, "acme", "bob")
	if err != nil || len(pending) != 1 {
		t.Fatalf("pending = %v, %v", pending, err)
	}
}

func TestCommenterAppends(t *testing.T) {
	store := memstore.New(nil)
	add := approvals.NewCommenter(store, clock.System)
	ctx := context.Background()
	_ = add(ctx, "acme:w1", "ann", "first")
	_ = add(ctx, "acme:w1", "bob", "second")
	thread, err := storage.Load[[]string](ctx, store, "comments:acme:w1")
	if err != nil || len(thread) != 2 {
		t.Fatalf("thread = %v, %v", thread, err)
	}
}
