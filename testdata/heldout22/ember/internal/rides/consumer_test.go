package rides

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/ember/internal/kvstore"
	"example.com/ember/internal/leaderboard"
	"example.com/ember/internal/queue"
)

type recordingStore struct{ puts map[string]int }

func (r *recordingStore) Get(context.Context, string) ([]byte, error) {
	return nil, kvstore.ErrNotFound
}
func (r *recordingStore) Put(_ context.Context, key string, _ []byte, _ ...kvstore.PutOption) error {
	r.puts[key]++
	return nil
}
func (r *recordingStore) Delete(context.Context, string) error { return nil }
func (r *recordingStore) List(context.Context, kvstore.ListQuery) (kvstore.Page, error) {
	return kvstore.Page{}, nil
}

type fakeBoards struct{ applied map[string]int }

func (f *fakeBoards) ApplyLive(_ context.Context, city string, rides []leaderboard.Ride) error {
	f.applied[city] += len(rides)
	return nil
}

func TestHandleBatchAcksGoodAndDropsBad(t *testing.T) {
	store := &recordingStore{puts: map[string]int{}}
	boards := &fakeBoards{applied: map[string]int{}}
	c := NewConsumer(store, boards, func(context.Context, string, int64) (int64, error) { return 0, nil },
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	good, _ := json.Marshal(Ended{RideID: "r1", Rider: "u1", City: "porto", Ended: time.Now(), Meters: 1200})
	b := &queue.Batch{Queue: "rides", Messages: []*queue.Message{{ID: "1", Body: good}, {ID: "2", Body: []byte("{")}}}
	out := c.HandleBatch(context.Background(), b)
	if out.Acked != 1 || out.Dropped != 1 {
		t.Fatalf("outcome = %+v", out)
	}
	if boards.applied["porto"] != 1 {
		t.Errorf("applied = %v", boards.applied)
	}
}
