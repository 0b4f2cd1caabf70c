package repo

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"example.com/heron/internal/ports"
)

// fakeHandle is a minimal in-memory ports.Handle for repository tests.
type fakeHandle struct {
	data  map[string][]byte
	ttls  map[string]time.Duration
	lists int
}

func newFake() *fakeHandle {
	return &fakeHandle{data: map[string][]byte{}, ttls: map[string]time.Duration{}}
}

func (f *fakeHandle) Get(_ context.Context, k string) ([]byte, error) {
	v, ok := f.data[k]
	if !ok {
		return nil, ports.ErrNotFound
	}
	return v, nil
}

func (f *fakeHandle) GetEntry(ctx context.Context, k string) (ports.Entry, error) {
	v, err := f.Get(ctx, k)
	return ports.Entry{Value: v}, err
}

func (f *fakeHandle) Put(_ context.Context, k string, v []byte, o *ports.PutOpts) error {
	f.data[k] = v
	f.ttls[k] = o.Lifetime(0)
	return nil
}

func (f *fakeHandle) Delete(_ context.Context, k string) error {
	delete(f.data, k)
	return nil
}

func (f *fakeHandle) List(_ context.Context, req ports.ListReq) (ports.Page, error) {
	f.lists++
	var names []string
	for k := range f.data {
		if strings.HasPrefix(k, req.Prefix) {
			names = append(names, k)
		}
	}
	slices.Sort(names)
	p := ports.Page{Complete: true}
	for _, n := range names {
		p.Keys = append(p.Keys, ports.Key{Name: n})
	}
	return p, nil
}

func (f *fakeHandle) BulkGet(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, k := range keys {
		if v, ok := f.data[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

func (f *fakeHandle) BulkPut(ctx context.Context, items []ports.Item) error {
	for _, it := range items {
		_ = f.Put(ctx, it.Key, it.Value, it.Opts)
	}
	return nil
}

func (f *fakeHandle) Prefixed(string) ports.Handle            { return f }
func (f *fakeHandle) WithLifetime(time.Duration) ports.Handle { return f }
func (f *fakeHandle) Name() string                            { return "fake" }

type exhibit struct {
	Title string `json:"title"`
}

func TestGetOrLoadCachesWithTTL(t *testing.T) {
	h := newFake()
	r := New[exhibit](h, WithTTL(10*time.Minute))
	loads := 0
	load := func(context.Context, string) (exhibit, error) {
		loads++
		return exhibit{Title: "Turner"}, nil
	}
	for range 3 {
		got, err := r.GetOrLoad(context.Background(), "turner", load)
		if err != nil || got.Title != "Turner" {
			t.Fatalf("GetOrLoad = %+v, %v", got, err)
		}
	}
	if loads != 1 {
		t.Fatalf("loaded %d times, want 1", loads)
	}
	if h.ttls["turner"] != 10*time.Minute {
		t.Fatalf("ttl = %v", h.ttls["turner"])
	}
}

func TestGetMissing(t *testing.T) {
	r := New[exhibit](newFake())
	if _, err := r.Get(context.Background(), "nope"); !errors.Is(err, ports.ErrNotFound) {
		t.Fatalf("err = %v, want ErrNotFound", err)
	}
}

func TestScanStopsOnComplete(t *testing.T) {
	h := newFake()
	r := New[exhibit](h)
	for _, id := range []string{"a", "b", "c"} {
		_ = r.Put(context.Background(), id, exhibit{Title: id})
	}
	var seen []string
	err := r.Scan(context.Background(), "", 5, func(k ports.Key) error {
		seen = append(seen, k.Name)
		return nil
	})
	if err != nil || len(seen) != 3 || h.lists != 1 {
		t.Fatalf("seen %v after %d lists, err %v", seen, h.lists, err)
	}
}
