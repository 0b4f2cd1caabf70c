package repo

import (
	"context"
	"strings"
	"testing"
	"time"

	"example.com/dunlin/internal/kvstore"
)

// recordingStore is a map-backed kvstore.Store that remembers the options
// of every write.
type recordingStore struct {
	data map[string][]byte
	ttls map[string]time.Duration
}

func newRecordingStore() *recordingStore {
	return &recordingStore{data: map[string][]byte{}, ttls: map[string]time.Duration{}}
}

func (s *recordingStore) Get(_ context.Context, key string) ([]byte, error) {
	v, ok := s.data[key]
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return v, nil
}

func (s *recordingStore) Put(_ context.Context, key string, value []byte, opts ...kvstore.Option) error {
	s.data[key] = value
	s.ttls[key] = kvstore.Resolve(nil, opts...).TTL
	return nil
}

func (s *recordingStore) Delete(_ context.Context, key string) error {
	delete(s.data, key)
	return nil
}

func (s *recordingStore) List(_ context.Context, prefix string, _ ...kvstore.Option) (kvstore.Page, error) {
	page := kvstore.Page{Complete: true}
	for k := range s.data {
		if strings.HasPrefix(k, prefix) {
			page.Keys = append(page.Keys, kvstore.KeyInfo{Name: k})
		}
	}
	return page, nil
}

func (s *recordingStore) PutBatch(ctx context.Context, entries []kvstore.Entry, opts ...kvstore.Option) error {
	for _, e := range entries {
		_ = s.Put(ctx, e.Key, e.Value, append(opts, kvstore.WithTTL(e.TTL))...)
	}
	return nil
}

type widget struct {
	ID   string `json:"id"`
	Size int    `json:"size"`
}

func (w widget) Key() string        { return "widget:" + w.ID }
func (w widget) TTL() time.Duration { return 5 * time.Minute }

func TestRepoRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := newRecordingStore()
	r := New[widget](st, "widget:", kvstore.WithTTL(time.Hour))
	if err := r.Put(ctx, "a", widget{ID: "a", Size: 3}); err != nil {
		t.Fatal(err)
	}
	got, err := r.Get(ctx, "a")
	if err != nil || got.Size != 3 {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if st.ttls["widget:a"] != time.Hour {
		t.Fatalf("ttl = %s", st.ttls["widget:a"])
	}
	if _, err := r.Get(ctx, "missing"); !kvstore.IsNotFound(err) {
		t.Fatalf("missing key: %v", err)
	}
}

func TestSaveUsesRecordTTL(t *testing.T) {
	st := newRecordingStore()
	if err := Save(context.Background(), st, widget{ID: "b"}); err != nil {
		t.Fatal(err)
	}
	if st.ttls["widget:b"] != 5*time.Minute {
		t.Fatalf("ttl = %s", st.ttls["widget:b"])
	}
	all, err := New[widget](st, "widget:").All(context.Background())
	if err != nil || len(all) != 1 {
		t.Fatalf("All = %v, %v", all, err)
	}
}
