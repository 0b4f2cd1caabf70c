package writebehind_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"example.com/wayfarer/internal/storage"
	"example.com/wayfarer/internal/writebehind"
)

// countingStore records how often each key is written.
type countingStore struct {
	mu     sync.Mutex
	writes map[string]int
	last   map[string]string
}

func (c *countingStore) Get(context.Context, string) ([]byte, error) { return nil, storage.ErrNotFound }
func (c *countingStore) Delete(context.Context, string) error        { return nil }
func (c *countingStore) List(context.Context, storage.ListQuery) (storage.Page, error) {
	return storage.Page{Complete: true}, nil
}

func (c *countingStore) Put(_ context.Context, key string, v []byte, _ ...storage.Option[storage.PutOptions]) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.writes[key]++
	c.last[key] = string(v)
	return nil
}

func TestBufferCollapsesWritesPerKey(t *testing.T) {
	cs := &countingStore{writes: map[string]int{}, last: map[string]string{}}
	buf := writebehind.New(cs, writebehind.Every(time.Hour))
	ctx, cancel := context.WithCancel(context.Background())
	go buf.Run(ctx)
	for _, v := range []string{"1", "2", "3"} {
		if err := buf.Submit(writebehind.Request{Key: "usage:p1", Value: []byte(v)}); err != nil {
			t.Fatal(err)
		}
	}
	_ = buf.Submit(writebehind.Request{Key: "usage:p2", Value: []byte("9")})
	time.Sleep(20 * time.Millisecond)
	cancel()
	<-buf.Done()
	if cs.writes["usage:p1"] != 1 || cs.last["usage:p1"] != "3" || cs.writes["usage:p2"] != 1 {
		t.Fatalf("writes=%v last=%v", cs.writes, cs.last)
	}
}
