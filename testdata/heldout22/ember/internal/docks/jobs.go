package docks

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"example.com/ember/internal/jobs"
	"example.com/ember/internal/keys"
)

func init() {
	jobs.Register(jobs.Spec{Name: "dock-refresh", Every: 2 * time.Minute, RunFirst: true, Factory: newRefreshJob})
	jobs.Register(jobs.Spec{Name: "dock-compact", Every: 6 * time.Hour, Factory: newCompactJob})
}

// Summary is the per-city availability shown on the city overview map.
type Summary struct {
	City      string    `json:"city"`
	Stations  int       `json:"stations"`
	Bikes     int       `json:"bikes"`
	Scooters  int       `json:"scooters"`
	FreeSlots int       `json:"free_slots"`
	AsOf      time.Time `json:"as_of"`
}

type refreshJob struct {
	svc      *Service
	cities   []string
	parallel int
}

func newRefreshJob(env jobs.Env) (jobs.Job, error) {
	svc, err := jobs.Extra[*Service](env, "docks")
	if err != nil {
		return nil, err
	}
	return &refreshJob{svc: svc, cities: env.Cities, parallel: 8}, nil
}

// Run copies current occupancy from telemetry into KV, station by station.
func (j *refreshJob) Run(ctx context.Context) error {
	for _, city := range j.cities {
		if err := j.refreshCity(ctx, city); err != nil {
			return fmt.Errorf("refresh %s: %w", city, err)
		}
	}
	return nil
}

func (j *refreshJob) refreshCity(ctx context.Context, city string) error {
	stations, err := j.svc.telemetry.Stations(ctx, city)
	if err != nil {
		return err
	}
	var (
		g       errgroup.Group
		sem     = make(chan struct{}, j.parallel)
		mu      sync.Mutex
		summary = Summary{City: city}
		key     = keys.CityDocksKey{City: city}.String()
	)
	for _, station := range stations {
		g.Go(func() error {
			sem <- struct{}{}
			defer func() { <-sem }()
			d, err := j.svc.fromTelemetry(ctx, keys.DockKey{City: city, Station: station})
			if err != nil {
				return err
			}
			if err := j.svc.docks.Save(ctx, dockID(city, station), d); err != nil {
				return err
			}
			mu.Lock()
			summary.Stations++
			summary.Bikes += d.Bikes
			summary.Scooters += d.Scooters
			summary.FreeSlots += d.FreeSlots
			summary.AsOf = time.Now()
			b, err := json.Marshal(summary)
			mu.Unlock()
			if err != nil {
				return err
			}
			return j.svc.store.Put(ctx, key, b) // EXPECT kvhotkey
		})
	}
	return g.Wait()
}

type compactJob struct {
	svc    *Service
	cities []string
	keep   int
}

func newCompactJob(env jobs.Env) (jobs.Job, error) {
	svc, err := jobs.Extra[*Service](env, "docks")
	if err != nil {
		return nil, err
	}
	return &compactJob{svc: svc, cities: env.Cities, keep: 20}, nil
}

// Run trims the status history of every dock to the newest entries. The
// station list comes from telemetry, not from a KV listing.
func (j *compactJob) Run(ctx context.Context) error {
	var ids []string
	for _, city := range j.cities {
		stations, err := j.svc.telemetry.Stations(ctx, city)
		if err != nil {
			return err
		}
		for _, st := range stations {
			ids = append(ids, dockID(city, st))
		}
	}
	var g errgroup.Group
	sem := make(chan struct{}, 4)
	for _, id := range ids {
		g.Go(func() error {
			sem <- struct{}{}
			defer func() { <-sem }()
			key := j.svc.docks.Key(id)
			raw, err := j.svc.store.Get(ctx, key)
			if err != nil {
				return err
			}
			var d Dock
			if err := json.Unmarshal(raw, &d); err != nil {
				return err
			}
			if len(d.History) <= j.keep {
				return nil
			}
			d.History = slices.Clone(d.History[len(d.History)-j.keep:])
			b, err := json.Marshal(d)
			if err != nil {
				return err
			}
			return j.svc.store.Put(ctx, key, b) // EXPECT kvrace
		})
	}
	return g.Wait()
}
