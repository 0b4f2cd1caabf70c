package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
)

// VersionMeta is the metadata written next to cached projections.
type VersionMeta struct {
	Version int `json:"v"`
}

func versionOf(md any) int {
	switch m := md.(type) {
	case VersionMeta:
		return m.Version
	case map[string]any:
		if v, ok := m["v"].(float64); ok {
			return int(v)
		}
	}
	return 0
}

// Passes holds the maintenance passes wired into the scheduler.
type Passes struct {
	store   kv.Store
	clock   clock.Clock
	workers int
	budget  Budget
	version int

	resume string
}

// NewPasses returns the maintenance passes.
func NewPasses(store kv.Store, c clock.Clock, workers int, budget Budget, version int) *Passes {
	return &Passes{store: store, clock: c, workers: workers, budget: budget, version: version}
}

// PurgeOldFeeds deletes cached feeds rendered by an older renderer version.
func (p *Passes) PurgeOldFeeds(ctx context.Context) error {
	stage := func(ctx context.Context, in <-chan Item) error {
		for it := range in {
			if versionOf(it.Key.Metadata) >= p.version {
				continue
			}
			if err := p.store.Delete(ctx, it.Key.Name); err != nil {
				return err
			}
			mark := []byte(it.Key.Name + " " + p.clock.Now().Format(time.RFC3339))
			if err := p.store.Put(ctx, "maintenance:purge:last", mark, kv.PutOptions{}); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		return nil
	}
	return Run(ctx, ListAll(p.store, "feed:"), stage, p.workers)
}

// Checkpoint records how far the re-encoding pass got. It runs once per
// scheduler tick.
func (p *Passes) Checkpoint(ctx context.Context) error {
	b, err := json.Marshal(map[string]string{"resume": p.resume, "at": p.clock.Now().Format(time.RFC3339)})
	if err != nil {
		return err
	}
	return p.store.Put(ctx, "maintenance:reencode:checkpoint", b, kv.PutOptions{})
}

// ReencodeShows re-encodes cached show cards with the current encoder.
// Workers batch keys and read values with bulk requests of one hundred.
func (p *Passes) ReencodeShows(ctx context.Context, bulk kv.BulkGetter) error {
	stage := func(ctx context.Context, in <-chan Item) error {
		batch := make([]string, 0, kv.MaxBulkGet)
		flush := func() error {
			if len(batch) == 0 {
				return nil
			}
			vals, err := bulk.GetMany(ctx, batch)
			if err != nil {
				return err
			}
			for _, k := range batch {
				v, ok := vals[k]
				if !ok {
					continue
				}
				var card map[string]any
				if err := json.Unmarshal(v, &card); err != nil {
					return fmt.Errorf("card %s: %w", k, err)
				}
				out, _ := json.Marshal(card)
				if err := p.store.Put(ctx, "v2:"+k, out, kv.PutOptions{Metadata: VersionMeta{Version: p.version}}); err != nil {
					return err
				}
			}
			batch = batch[:0]
			return nil
		}
		for it := range in {
			batch = append(batch, it.Key.Name)
			if len(batch) == kv.MaxBulkGet {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		return flush()
	}
	var next string
	err := Run(ctx, ListBounded(p.store, p.clock, "show:card:", p.resume, p.budget, &next), stage, p.workers)
	if err == nil {
		p.resume = next
	}
	return err
}
