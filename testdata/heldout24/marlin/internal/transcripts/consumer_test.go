package transcripts

import (
	"context"
	"testing"

	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
	"example.com/marlin/internal/kv/memkv"
)

// bulkStore adds bulk reads to the in-memory store.
type bulkStore struct {
	*memkv.Store
}

func (b bulkStore) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, k := range keys {
		if v, err := b.Get(ctx, k); err == nil {
			out[k] = v
		}
	}
	return out, nil
}

var _ kv.BulkGetter = bulkStore{}

func TestLifecycle(t *testing.T) {
	ctx := context.Background()
	var notified string
	c := NewConsumer(bulkStore{memkv.New(clock.System{})}, clock.System{}, func(_ context.Context, ep string, _ int) error {
		notified = ep
		return nil
	})
	msgs := []Message{
		&JobRequested{JobID: "j1", EpisodeID: "e1", Chunks: 2},
		&ChunksTranscribed{JobID: "j1", First: 0, Texts: []string{"hello", "world"}},
		&JobCompleted{JobID: "j1", EpisodeID: "e1", Chunks: 2, Words: 2},
	}
	for _, m := range msgs {
		if err := c.Handle(ctx, m); err != nil {
			t.Fatalf("%T: %v", m, err)
		}
	}
	text, ok, err := c.Transcript(ctx, "e1")
	if err != nil || !ok || text == "" || notified != "e1" {
		t.Fatalf("text=%q ok=%v err=%v notified=%q", text, ok, err, notified)
	}
}
