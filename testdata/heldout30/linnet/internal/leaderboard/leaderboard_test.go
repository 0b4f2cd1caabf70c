package leaderboard

import (
	"context"
	"testing"
	"time"

	"example.com/linnet/internal/config"
	"example.com/linnet/internal/storage/memstore"
)

type flagFunc func(flag, subject string) bool

func (f flagFunc) Enabled(_ context.Context, flag, subject string) bool { return f(flag, subject) }

func TestShardedPublish(t *testing.T) {
	ctx := context.Background()
	on := flagFunc(func(string, string) bool { return true })
	svc := New(memstore.New(nil), on, config.Leaderboard{PublishEvery: time.Minute, SnapshotTTL: time.Hour, EntryTTL: time.Hour})
	for learner, xp := range map[string]int{"a": 30, "b": 50, "c": 10} {
		if err := svc.Record(ctx, "class1", learner, xp); err != nil {
			t.Fatal(err)
		}
	}
	snap, err := svc.Publish(ctx, "class1")
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.Entries) != 3 || snap.Entries[0].Learner != "b" || snap.Partial {
		t.Fatalf("unexpected snapshot %+v", snap)
	}
}
