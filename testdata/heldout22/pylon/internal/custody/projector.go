package custody

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"example.com/pylon/internal/fp"
	"example.com/pylon/internal/pool"
	"example.com/pylon/internal/repo"
	"example.com/pylon/internal/storage"
)

// View is the read model folded from a sample's events.
type View struct {
	SampleID   string
	Status     Status
	Holder     string
	Site       string
	Transfers  int
	FirstSeen  time.Time
	LastChange time.Time
	Rejected   bool
}

// Fold applies one event to the view.
func (v View) Fold(ev Event) View {
	if v.FirstSeen.IsZero() || ev.At.Before(v.FirstSeen) {
		v.FirstSeen = ev.At
	}
	if ev.At.After(v.LastChange) {
		v.LastChange = ev.At
		v.Status = ev.Status
		v.Holder = ev.Actor
		v.Site = ev.Site
	}
	if ev.Status == StatusInTransit || ev.Status == StatusReceived {
		v.Transfers++
	}
	v.Rejected = v.Rejected || ev.Status == StatusRejected
	return v
}

// Projector rebuilds views from the event log.
type Projector struct {
	lister storage.Lister
	bulk   storage.BulkReader
	views  *repo.Repo[View]
	codec  repo.Codec[Event]
	budget storage.Budget
}

// NewProjector wires a Projector. Views are stored as JSON so the portal can
// read them directly.
func NewProjector(store storage.Store) *Projector {
	return &Projector{
		lister: store,
		bulk:   store,
		views:  repo.New[View](store, "custody:view:"),
		codec:  repo.Gob[Event]{},
		budget: storage.Budget{MaxPages: 5, MaxKeys: 2000},
	}
}

// Events loads up to the budget of a sample's events in order.
func (p *Projector) Events(ctx context.Context, sampleID string) ([]Event, error) {
	var keys []string
	_, err := storage.WalkBounded(ctx, p.lister, eventPrefix+sampleID+":", p.budget, func(k storage.KeyInfo) error {
		keys = append(keys, k.Name)
		return nil
	})
	if err != nil && !errors.Is(err, storage.ErrBudget) {
		return nil, err
	}
	var events []Event
	for _, batch := range fp.Batches(keys, storage.MaxBulkGet) {
		vals, err := p.bulk.GetMany(ctx, batch)
		if err != nil {
			return nil, err
		}
		for _, k := range batch {
			raw, ok := vals[k]
			if !ok {
				continue
			}
			ev, err := p.codec.Decode(raw)
			if err != nil {
				return nil, fmt.Errorf("decode %s: %w", k, err)
			}
			events = append(events, ev)
		}
	}
	sort.Slice(events, func(i, j int) bool { return events[i].ID < events[j].ID })
	return events, nil
}

// Rebuild folds the sample's events into a fresh view and stores it.
func (p *Projector) Rebuild(ctx context.Context, sampleID string) (View, error) {
	events, err := p.Events(ctx, sampleID)
	if err != nil {
		return View{}, err
	}
	v := fp.Reduce(events, View{SampleID: sampleID}, View.Fold)
	return v, p.views.Save(ctx, sampleID, v)
}

// RebuildMany projects many samples with n workers, giving up on any single
// sample after perSample.
func (p *Projector) RebuildMany(ctx context.Context, ids []string, n int, perSample time.Duration) ([]View, []error) {
	work := func(ctx context.Context, id string) (View, error) {
		ctx, cancel := context.WithTimeout(ctx, perSample)
		defer cancel()
		done := make(chan fp.Result[View], 1)
		go func() {
			v, err := p.Rebuild(ctx, id)
			done <- fp.Result[View]{Value: v, Err: err}
		}()
		select {
		case r := <-done:
			return r.Unwrap()
		case <-time.After(perSample):
			return View{}, fmt.Errorf("rebuild %s: timed out", id)
		}
	}
	return fp.Partition(pool.Collect(pool.Run(ctx, n, pool.Feed(ctx, ids), work)))
}
