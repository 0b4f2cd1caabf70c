package sessions

import (
	"context"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"example.com/larkspur/internal/keys"
	"example.com/larkspur/internal/kvstore"
)

type recordingStore struct {
	vals   map[string][]byte
	writes int
}

func (s *recordingStore) Get(_ context.Context, key string, _ ...kvstore.Option) ([]byte, error) {
	if v, ok := s.vals[key]; ok {
		return v, nil
	}
	return nil, kvstore.ErrNotFound
}

func (s *recordingStore) Put(_ context.Context, key string, value []byte, _ ...kvstore.Option) error {
	s.writes++
	s.vals[key] = value
	return nil
}

func (s *recordingStore) Delete(_ context.Context, key string) error {
	delete(s.vals, key)
	return nil
}

func (s *recordingStore) List(context.Context, string, ...kvstore.Option) (kvstore.Page, error) {
	return kvstore.Page{Complete: true}, nil
}

func TestCreateAndLookup(t *testing.T) {
	st := &recordingStore{vals: map[string][]byte{}}
	m := NewManager(keys.New("t"), WithTTL(time.Second), WithCookie("sid"))
	m.SetStore(st)
	c, err := m.Create(context.Background(), "u1", "ws1")
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxAge != 300 {
		t.Fatalf("ttl not clamped: %d", c.MaxAge)
	}
	req := httptest.NewRequest(http.MethodGet, "/dashboard", nil)
	req.AddCookie(c)
	s, err := m.Lookup(req)
	if err != nil || s.Workspace != "ws1" {
		t.Fatalf("lookup: %+v %v", s, err)
	}
}
