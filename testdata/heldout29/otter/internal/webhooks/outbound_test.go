package webhooks

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"example.com/otter/internal/kvport"
	"example.com/otter/internal/kvport/memkv"
	"example.com/otter/internal/kvstore/cfkv6"
)

// fakeDeliveries is an in-memory DeliveryStore.
type fakeDeliveries struct {
	mu       sync.Mutex
	url      string
	payloads map[string][]byte
	attempts map[string][]cfkv6.Attempt
	sent     []string
}

func newFakeDeliveries(url string) *fakeDeliveries {
	return &fakeDeliveries{url: url, payloads: map[string][]byte{}, attempts: map[string][]cfkv6.Attempt{}}
}

func (f *fakeDeliveries) RecordAttempt(_ context.Context, id, _ string, a cfkv6.Attempt) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.attempts[id] = append(f.attempts[id], a)
	return nil
}

func (f *fakeDeliveries) MarkSent(_ context.Context, ids []string, _ time.Time) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sent = append(f.sent, ids...)
	return nil
}

func (f *fakeDeliveries) SavePayload(_ context.Context, id string, p []byte) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.payloads[id] = p
	return nil
}

func (f *fakeDeliveries) Payload(_ context.Context, id string) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.payloads[id], nil
}

func (f *fakeDeliveries) SigningSecret(context.Context, string) ([]byte, error) {
	return []byte("secret"), nil
}

func (f *fakeDeliveries) EndpointURL(context.Context, string) (string, error) { return f.url, nil }

func TestRedeliverUsesListedEndpoint(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Otter-Signature") == "" {
			w.WriteHeader(http.StatusBadRequest)
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	store := newFakeDeliveries(srv.URL)
	pending := memkv.NewOpener().Open("pending")
	meta, _ := json.Marshal(pendingMeta{Endpoint: "ep_t1"})
	_ = pending.Put(ctx, "dlv_1", []byte("ep_t1"), &kvport.PutOpts{Metadata: json.RawMessage(meta)})
	_ = store.SavePayload(ctx, "dlv_1", []byte(`{"id":"dlv_1"}`))
	d := NewDispatcher(store, pending, slog.Default())
	if err := d.Redeliver(ctx); err != nil {
		t.Fatal(err)
	}
	if len(store.sent) != 1 || store.sent[0] != "dlv_1" {
		t.Fatalf("sent = %v, attempts = %v", store.sent, store.attempts)
	}
}
