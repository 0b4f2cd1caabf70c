package repo_test

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"example.com/wayfarer/internal/domain"
	"example.com/wayfarer/internal/repo"
	"example.com/wayfarer/internal/storage"
)

// memStore is an in-memory storage.Store. It also implements
// storage.BulkGetter when bulk is set, so Scan's fast path can be tested.
type memStore struct {
	mu   sync.Mutex
	data map[string][]byte
	ttl  map[string]time.Duration
	gets int
}

func newMemStore() *memStore {
	return &memStore{data: map[string][]byte{}, ttl: map[string]time.Duration{}}
}

func (m *memStore) Get(_ context.Context, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.gets++
	v, ok := m.data[key]
	if !ok {
		return nil, storage.ErrNotFound
	}
	return v, nil
}

func (m *memStore) Put(_ context.Context, key string, v []byte, opts ...storage.Option[storage.PutOptions]) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[key] = v
	m.ttl[key] = storage.Apply(storage.PutOptions{}, opts...).TTL
	return nil
}

func (m *memStore) Delete(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, key)
	return nil
}

func (m *memStore) List(_ context.Context, q storage.ListQuery) (storage.Page, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var page storage.Page
	for k := range m.data {
		if strings.HasPrefix(k, q.Prefix) {
			page.Keys = append(page.Keys, storage.KeyInfo{Name: k})
		}
	}
	sort.Slice(page.Keys, func(i, j int) bool { return page.Keys[i].Name < page.Keys[j].Name })
	page.Complete = true
	return page, nil
}

type bulkStore struct {
	*memStore
	bulkCalls int
}

func (b *bulkStore) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	b.bulkCalls++
	if len(keys) > storage.MaxBulkGet {
		return nil, errors.New("too many keys")
	}
	out := map[string][]byte{}
	for _, k := range keys {
		if v, err := b.memStore.Get(ctx, k); err == nil {
			out[k] = v
		}
	}
	return out, nil
}

func TestTripRepoCreateAndRename(t *testing.T) {
	ctx := context.Background()
	ms := newMemStore()
	trips := repo.NewTripRepo(ms, 5*time.Second)
	tr, err := trips.Create(ctx, domain.Trip{OwnerID: "u1", Title: "Lisbon"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ms.ttl[repo.TripSummaryPrefix+tr.ID]; got < time.Minute {
		t.Fatalf("summary TTL %s not clamped", got)
	}
	if err := trips.Rename(ctx, tr.ID, "Lisbon & Porto"); err != nil {
		t.Fatal(err)
	}
	got, err := trips.Get(ctx, tr.ID)
	if err != nil || got.Title != "Lisbon & Porto" {
		t.Fatalf("got %+v, %v", got, err)
	}
}

func TestClaimRefusesTakenSlug(t *testing.T) {
	ctx := context.Background()
	links := repo.NewShareLinkRepo(newMemStore())
	l := domain.ShareLink{Slug: "honeymoon", TripID: "t1", ExpiresAt: time.Now().Add(time.Hour)}
	if err := links.Claim(ctx, l); err != nil {
		t.Fatal(err)
	}
	if err := links.Claim(ctx, l); !errors.Is(err, repo.ErrSlugTaken) {
		t.Fatalf("second claim: %v", err)
	}
}

func TestScanUsesBulkReads(t *testing.T) {
	ctx := context.Background()
	bs := &bulkStore{memStore: newMemStore()}
	base := repo.NewBase[domain.Traveller](bs, &repo.Config{Prefix: "traveller:"})
	for _, id := range []string{"a", "b", "c"} {
		if err := base.Save(ctx, id, domain.Traveller{ID: id}); err != nil {
			t.Fatal(err)
		}
	}
	n := 0
	for tr, err := range base.Scan(ctx, 10) {
		if err != nil || tr.ID == "" {
			t.Fatalf("%+v %v", tr, err)
		}
		n++
	}
	if n != 3 || bs.bulkCalls != 1 || bs.gets != 3 {
		t.Fatalf("n=%d bulk=%d gets=%d", n, bs.bulkCalls, bs.gets)
	}
}
