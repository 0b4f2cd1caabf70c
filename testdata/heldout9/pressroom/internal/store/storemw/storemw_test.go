package storemw_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/pressroom/internal/store"
	"example.com/pressroom/internal/store/memstore"
	"example.com/pressroom/internal/store/storemw"
)

func TestDecoratorsCompose(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	counters := &storemw.MemCounters{}
	var st store.Store = storemw.Logged{
		Store: storemw.Metrics(storemw.ReadCache(mem, time.Minute, 16), counters),
		Log:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	if err := st.Put(ctx, "k", "v1"); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 3; i++ {
		if v, ok, _ := st.Get(ctx, "k"); !ok || v != "v1" {
			t.Fatalf("Get = %q %v", v, ok)
		}
	}
	_ = st.Put(ctx, "k", "v2")
	if v, _, _ := st.Get(ctx, "k"); v != "v2" {
		t.Fatalf("cache not invalidated: %q", v)
	}
	snap := counters.Snapshot()
	if snap["kv.get"] != 4 || snap["kv.put"] != 2 {
		t.Fatalf("counters = %v", snap)
	}
}
