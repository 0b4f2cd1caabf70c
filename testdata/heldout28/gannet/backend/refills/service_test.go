package refills

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"example.com/gannet/internal/domain"
	"example.com/gannet/internal/storage"
)

// mapKV is a storage.KV and rawStore backed by a map.
type mapKV struct{ m map[string][]byte }

func (f *mapKV) Get(_ context.Context, key string) ([]byte, bool, error) {
	b, ok := f.m[key]
	return b, ok, nil
}

func (f *mapKV) Fetch(_ context.Context, key string) ([]byte, error) {
	if b, ok := f.m[key]; ok {
		return b, nil
	}
	return nil, errors.New("404")
}

func (f *mapKV) Put(_ context.Context, key string, value []byte, _ storage.PutOptions) error {
	f.m[key] = value
	return nil
}

func (f *mapKV) Delete(_ context.Context, key string) error {
	delete(f.m, key)
	return nil
}

func (f *mapKV) List(_ context.Context, req storage.ListRequest) (storage.ListPage, error) {
	var page storage.ListPage
	for k := range f.m {
		if strings.HasPrefix(k, req.Prefix) {
			page.Keys = append(page.Keys, storage.ListedKey{Name: k})
		}
	}
	page.Complete = true
	return page, nil
}

func TestSubmitHonoursQuota(t *testing.T) {
	timeNow = func() time.Time { return time.Date(2025, 5, 10, 12, 0, 0, 0, time.UTC) }
	defer func() { timeNow = time.Now }()

	kv := &mapKV{m: map[string][]byte{}}
	svc := New(kv, kv, Config{PendingTTL: 3600, MonthlyQuota: 2}, nil)
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if _, err := svc.Submit(ctx, "p1", "lisinopril 10mg", "pharm@example.com"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := svc.Submit(ctx, "p1", "lisinopril 10mg", "pharm@example.com"); !errors.Is(err, domain.ErrQuota) {
		t.Fatalf("third submit: %v", err)
	}
}
