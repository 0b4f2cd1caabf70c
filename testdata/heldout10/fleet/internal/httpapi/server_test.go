package httpapi

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/fleet/internal/kvstore"
	"example.com/fleet/internal/kvstore/memkv"
	"example.com/fleet/internal/opsession"
)

func TestHeartbeatAndListDevices(t *testing.T) {
	store := memkv.New()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	ctx := context.Background()
	_ = store.Put(ctx, "dev:a", []byte("{}"))
	_ = store.Put(ctx, "dev:b", []byte("{}"))
	h := New(Deps{
		Save:     store.Put,
		Load:     store.Get,
		Devices:  store,
		Sessions: opsession.NewManager(store, time.Hour, log),
		PageSize: 1,
		Log:      log,
	})
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/devices/a/heartbeat", nil))
	if rec.Code != http.StatusNoContent || !store.Has("hb:a") {
		t.Fatalf("heartbeat: %d", rec.Code)
	}
	var saved kvstore.SaveFunc = store.Put
	if err := saved.Save(ctx, "x", []byte("y")); err != nil {
		t.Fatal(err)
	}
}
