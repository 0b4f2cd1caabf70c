package webhook

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"example.com/sorrel/internal/keyspace"
	"example.com/sorrel/internal/kvstore"
)

type fakeForwarder struct{ got []Event }

func (f *fakeForwarder) Handover(_ context.Context, _ string, ev Event) error {
	f.got = append(f.got, ev)
	return nil
}

func sign(key, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func TestHandoverOnce(t *testing.T) {
	key := []byte("k")
	rc := NewReceiver(newMemStore(), keyspace.New("t:"), Secret("acme", key))
	fwd := &fakeForwarder{}
	rc.SetForwarder(fwd)
	body := []byte(`{"id":"e1","parcel_id":"p1","kind":"handover","at":"2025-01-01T00:00:00Z"}`)
	for range 2 {
		req := httptest.NewRequest(http.MethodPost, "/hooks/carrier", bytes.NewReader(body))
		req.Header.Set("X-Carrier", "acme")
		req.Header.Set("X-Signature", sign(key, body))
		rec := httptest.NewRecorder()
		rc.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("status %d: %s", rec.Code, rec.Body)
		}
	}
	if len(fwd.got) != 1 {
		t.Fatalf("forwarded %d times", len(fwd.got))
	}
}

// memStore is an in-memory kvstore.Store for tests. It ignores TTLs.
type memStore struct {
	data map[string][]byte
	puts int
}

func newMemStore() *memStore { return &memStore{data: map[string][]byte{}} }

func (m *memStore) Get(_ context.Context, key string, _ ...kvstore.Option) ([]byte, error) {
	v, ok := m.data[key]
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return v, nil
}

func (m *memStore) Put(_ context.Context, key string, value []byte, _ ...kvstore.Option) error {
	m.data[key] = append([]byte(nil), value...)
	m.puts++
	return nil
}

func (m *memStore) Delete(_ context.Context, key string) error {
	delete(m.data, key)
	return nil
}

func (m *memStore) List(_ context.Context, prefix string, opts ...kvstore.Option) (kvstore.Page, error) {
	var p kvstore.Page
	for _, k := range slices.Sorted(maps.Keys(m.data)) {
		if strings.HasPrefix(k, prefix) {
			p.Keys = append(p.Keys, kvstore.KeyInfo{Name: k})
		}
	}
	p.Complete = true
	return p, nil
}
