package httpapi

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"example.com/yarrow/internal/storage"
)

type countingStore struct {
	data map[string][]byte
	puts int
}

func (c *countingStore) Get(_ context.Context, key string) ([]byte, error) {
	if v, ok := c.data[key]; ok {
		return v, nil
	}
	return nil, &storage.NotFoundError{Key: key}
}

func (c *countingStore) Put(_ context.Context, key string, value []byte, _ storage.WriteOptions) error {
	c.data[key] = value
	c.puts++
	return nil
}

func (c *countingStore) Delete(_ context.Context, key string) error {
	delete(c.data, key)
	return nil
}

func (c *countingStore) List(context.Context, storage.ListQuery) (storage.Page, error) {
	return storage.Page{Complete: true}, nil
}

func TestRateLimitRejectsAfterBudget(t *testing.T) {
	st := &countingStore{data: map[string][]byte{}}
	h := RateLimit(st, 2, http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusOK) }))
	codes := make([]int, 0, 3)
	for range 3 {
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/menus/r-bao", nil)
		req.Header.Set("CF-Connecting-IP", "203.0.113.7")
		h.ServeHTTP(rec, req)
		codes = append(codes, rec.Code)
	}
	if codes[0] != 200 || codes[1] != 200 || codes[2] != http.StatusTooManyRequests {
		t.Fatalf("got %v", codes)
	}
}
