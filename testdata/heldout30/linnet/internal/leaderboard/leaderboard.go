// Package leaderboard keeps per-class XP rankings. While the sharded layout
// (one key per learner, score in metadata) rolls out behind a flag, the
// legacy layout (one document per class) stays live.
package leaderboard

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"time"

	"example.com/linnet/internal/config"
	"example.com/linnet/internal/flags"
	"example.com/linnet/internal/storage"
)

// FlagReader is the slice of flags.Source the service needs.
type FlagReader interface {
	Enabled(ctx context.Context, flag, subject string) bool
}

// Entry is one learner's standing.
type Entry struct {
	Learner string
	XP      int
	At      time.Time
}

// Snapshot is a published, ranked board. Very large classes are ranked from
// their first pages only and marked Partial.
type Snapshot struct {
	Class     string
	Entries   []Entry
	Generated time.Time
	Partial   bool
}

// Event is an XP total reported by the progress pipeline.
type Event struct {
	Class, Learner string
	Total          int
	At             time.Time
}

var ErrNoSnapshot = errors.New("leaderboard: no snapshot published yet")

func entryPrefix(class string) string { return "lb:" + class + ":" }

// Service reads and writes leaderboards.
type Service struct {
	store storage.Store
	flags FlagReader
	cfg   config.Leaderboard
}

func New(store storage.Store, fr FlagReader, cfg config.Leaderboard) *Service {
	return &Service{store: store, flags: fr, cfg: cfg}
}

// Record stores learner's current XP total in class.
func (s *Service) Record(ctx context.Context, class, learner string, total int) error {
	if s.flags.Enabled(ctx, flags.ShardedLeaderboard, class) {
		return s.putEntry(ctx, class, learner, total, time.Now())
	}
	return storage.Update(ctx, s.store, "board:"+class, func(b *map[string]Entry) error { // EXPECT kvrace
		if *b == nil {
			*b = map[string]Entry{}
		}
		(*b)[learner] = Entry{Learner: learner, XP: total, At: time.Now()}
		return nil
	}, storage.WithTTL(s.cfg.EntryTTL))
}

func (s *Service) putEntry(ctx context.Context, class, learner string, total int, at time.Time) error {
	return s.store.Put(ctx, entryPrefix(class)+learner, strconv.AppendInt(nil, int64(total), 10),
		storage.WithTTL(s.cfg.EntryTTL),
		storage.WithMetadata(map[string]any{"xp": total, "at": at.Unix()}))
}

// ApplyBatch stores a batch of totals from the XP pipeline and remembers the
// newest event so the pipeline can resume after a restart.
func (s *Service) ApplyBatch(ctx context.Context, events []Event) error {
	for _, ev := range events {
		if err := s.putEntry(ctx, ev.Class, ev.Learner, ev.Total, ev.At); err != nil {
			return err
		}
		if err := storage.PutJSON(ctx, s.store, "lb:last-event", ev); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// num reads a metadata number: float64 once it has been through JSON, the
// original integer when the store kept it in memory.
func num(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case int:
		return int64(n)
	case int64:
		return n
	}
	return 0
}

func entryFromKey(class string, k storage.KeyInfo) Entry {
	return Entry{Learner: strings.TrimPrefix(k.Name, entryPrefix(class)),
		XP: int(num(k.Metadata["xp"])), At: time.Unix(num(k.Metadata["at"]), 0)}
}

// Publish ranks a class from its sharded entries and stores the snapshot.
func (s *Service) Publish(ctx context.Context, class string) (Snapshot, error) {
	snap := Snapshot{Class: class, Generated: time.Now(), Partial: true}
	opts := storage.ListOptions{Prefix: entryPrefix(class), Limit: 1000}
	for range 5 {
		page, err := s.store.List(ctx, opts)
		if err != nil {
			return Snapshot{}, err
		}
		for _, k := range page.Keys {
			snap.Entries = append(snap.Entries, entryFromKey(class, k))
		}
		if page.Complete {
			snap.Partial = false
			break
		}
		opts.Cursor = page.Cursor
	}
	slices.SortFunc(snap.Entries, func(a, b Entry) int { return cmp.Or(cmp.Compare(b.XP, a.XP), a.At.Compare(b.At)) })
	snap.Entries = snap.Entries[:min(len(snap.Entries), 100)]
	ttl := max(s.cfg.SnapshotTTL, 2*s.cfg.PublishEvery)
	return snap, storage.PutJSON(ctx, s.store, "lb-snapshot:"+class, snap, storage.WithTTL(ttl))
}

// Snapshot returns the last published snapshot for class.
func (s *Service) Snapshot(ctx context.Context, class string) (Snapshot, error) {
	snap, err := storage.GetJSON[Snapshot](ctx, s.store, "lb-snapshot:"+class)
	if errors.Is(err, storage.ErrNotFound) {
		return Snapshot{}, ErrNoSnapshot
	}
	return snap, err
}
