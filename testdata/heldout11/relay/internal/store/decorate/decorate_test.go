package decorate

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/relay/internal/retry"
	"example.com/relay/internal/store"
	"example.com/relay/internal/store/memstore"
)

type flaky struct {
	store.Store
	fails int
}

func (f *flaky) Put(ctx context.Context, key string, value []byte, opts ...store.PutOption) error {
	if f.fails > 0 {
		f.fails--
		return &store.OpError{Op: "put", Key: key, Status: 503}
	}
	return f.Store.Put(ctx, key, value, opts...)
}

func TestRetryTemporary(t *testing.T) {
	mem := memstore.New()
	s := Chain(&flaky{Store: mem, fails: 2},
		Logging(slog.New(slog.NewTextHandler(io.Discard, nil))),
		Retry(retry.Policy{Attempts: 3, BaseDelay: time.Millisecond}))
	if err := s.Put(context.Background(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
	if mem.Puts != 1 {
		t.Fatalf("puts = %d", mem.Puts)
	}
}
