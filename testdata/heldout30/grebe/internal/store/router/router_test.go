package router_test

import (
	"context"
	"errors"
	"testing"

	"example.com/grebe/internal/store"
	"example.com/grebe/internal/store/memstore"
	"example.com/grebe/internal/store/router"
)

// failingStore embeds the port and fails every write, to prove a key was
// not routed to it.
type failingStore struct{ store.Store }

var errWrongBackend = errors.New("wrong backend")

func (failingStore) Put(context.Context, string, []byte, store.PutOptions) error {
	return errWrongBackend
}

func TestRoutesByLongestPrefix(t *testing.T) {
	mem := memstore.New()
	r := router.New(failingStore{memstore.New()},
		router.Route{Prefix: "t", Backend: failingStore{memstore.New()}},
		router.Route{Prefix: "tmp:", Backend: mem},
	)
	ctx := context.Background()
	if err := r.Put(ctx, "tmp:a", []byte("1"), store.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := mem.Get(ctx, "tmp:a"); err != nil {
		t.Fatal(err)
	}
	if err := r.Put(ctx, "sess:a", nil, store.PutOptions{}); !errors.Is(err, errWrongBackend) {
		t.Fatalf("fallback not used: %v", err)
	}
}
