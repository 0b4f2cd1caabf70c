package maintenance

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"example.com/shrike/internal/domain"
	"example.com/shrike/internal/kvop"
	"example.com/shrike/internal/ports"
	"example.com/shrike/internal/repo"
)

// fakeKV backs every port of the service with one map.
type fakeKV map[string][]byte

func (f fakeKV) Get(_ context.Context, key string) ([]byte, error) {
	v, ok := f[key]
	if !ok {
		return nil, ports.ErrNotFound
	}
	return v, nil
}

func (f fakeKV) Put(_ context.Context, key string, v []byte, _ time.Duration) error {
	f[key] = v
	return nil
}

func (f fakeKV) exec(ctx context.Context, op kvop.Op) (kvop.Result, error) {
	switch op.Kind {
	case kvop.Get:
		v, err := f.Get(ctx, op.Key)
		return kvop.Result{Value: v, Found: err == nil}, nil
	case kvop.Put:
		return kvop.Result{}, f.Put(ctx, op.Key, op.Value, op.TTL)
	}
	return kvop.Result{}, nil
}

func newTestService() (*Service, fakeKV) {
	f := fakeKV{}
	docs := ports.DocStore{Read: f.Get, Write: f.Put}
	return New(repo.ForPrefixed[domain.Ticket](f.exec), docs, f, time.Hour), f
}

func TestPatchMergesDocument(t *testing.T) {
	s, f := newTestService()
	f["ticket:t1"] = []byte(`{"id":"t1","summary":"flat tyre","status":"open"}`)
	mux := http.NewServeMux()
	s.Routes(mux)
	rec := httptest.NewRecorder()
	req := httptest.NewRequest(http.MethodPatch, "/tickets/t1", strings.NewReader(`{"status":"done","id":"x"}`))
	mux.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	if got := string(f["ticket:t1"]); !strings.Contains(got, `"status":"done"`) || !strings.Contains(got, `"id":"t1"`) {
		t.Fatalf("stored %s", got)
	}
}

func TestOpenCountsPerStation(t *testing.T) {
	s, f := newTestService()
	mux := http.NewServeMux()
	s.Routes(mux)
	for range 2 {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/tickets", strings.NewReader(`{"station_id":"s9"}`)))
		if rec.Code != http.StatusCreated {
			t.Fatalf("status %d", rec.Code)
		}
	}
	if got := string(f["ops:tickets-open:s9"]); got != "2" {
		t.Fatalf("gauge %q", got)
	}
}
