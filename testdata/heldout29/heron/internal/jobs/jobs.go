// Package jobs runs the backend's periodic work: archiving gate scans,
// purging refunded tickets and catalog versioning.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"time"

	"example.com/heron/internal/domain"
	"example.com/heron/internal/ports"
)

// Config tunes the jobs.
type Config struct {
	// PageSize is the number of keys asked for per list call.
	PageSize int
	// MaxPages bounds one run of a listing job.
	MaxPages int
}

// DefaultConfig returns the production settings.
func DefaultConfig() Config {
	return Config{
		PageSize: 2000, // EXPECT kvlimits
		MaxPages: 50,
	}
}

// Job is one unit of periodic work.
type Job interface {
	Name() string
	Run(ctx context.Context) error
}

// Runner runs jobs on a ticker until its context ends.
type Runner struct {
	jobs  []Job
	every time.Duration
}

// NewRunner returns a Runner for jobs.
func NewRunner(every time.Duration, jobs ...Job) *Runner {
	return &Runner{jobs: jobs, every: every}
}

// Start runs the jobs in the background until ctx ends.
func (r *Runner) Start(ctx context.Context) {
	t := time.NewTicker(r.every)
	context.AfterFunc(ctx, t.Stop)
	go func() {
		for {
			select {
			case <-ctx.Done():
				slog.Info("jobs stopped", "n", len(r.jobs))
				return
			case <-t.C:
				for _, j := range r.jobs {
					if err := j.Run(ctx); err != nil {
						slog.Error("job failed", "job", j.Name(), "err", err)
					}
				}
			}
		}
	}()
}

// ArchiveScans copies gate scan events into the archive namespace and
// removes them from the hot namespace.
type ArchiveScans struct {
	Hot     ports.Handle
	Archive ports.Handle
	Cfg     Config
}

func (ArchiveScans) Name() string { return "archive-scans" }

func (a ArchiveScans) Run(ctx context.Context) error {
	req := ports.ListReq{Prefix: "scan:", Limit: a.Cfg.PageSize}
	for range a.Cfg.MaxPages {
		page, err := a.Hot.List(ctx, req)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			v, err := a.Hot.Get(ctx, k.Name) // EXPECT kvlist
			if errors.Is(err, ports.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			if err := a.Archive.Put(ctx, k.Name, v, &ports.PutOpts{TTL: 400 * 24 * time.Hour}); err != nil {
				return err
			}
			if err := a.Hot.Delete(ctx, k.Name); err != nil {
				return err
			}
		}
		if page.Complete {
			return nil
		}
		req.Cursor = page.Cursor
	}
	return nil
}

// ticketMeta is the metadata written with each ticket record.
type ticketMeta struct {
	Status domain.TicketStatus `json:"s"`
}

// PurgeRefunded deletes refunded tickets, reading their status from the
// key metadata.
type PurgeRefunded struct {
	Tickets ports.Handle
	Cfg     Config
}

func (PurgeRefunded) Name() string { return "purge-refunded" }

func (p PurgeRefunded) Run(ctx context.Context) error {
	req := ports.ListReq{Prefix: "ticket:", Limit: p.Cfg.PageSize}
	removed := 0
	for {
		page, err := p.Tickets.List(ctx, req) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			var m ticketMeta
			if len(k.Metadata) == 0 || json.Unmarshal(k.Metadata, &m) != nil {
				continue
			}
			if m.Status == domain.TicketRefunded {
				if err := p.Tickets.Delete(ctx, k.Name); err != nil {
					return err
				}
				removed++
			}
		}
		req.Cursor = page.Cursor
	}
	slog.Info("purged refunded tickets", "n", removed)
	return nil
}

// Catalog is the collections CMS.
type Catalog interface {
	ETag(ctx context.Context) (string, error)
}

type catalogVersion struct {
	Version int    `json:"version"`
	ETag    string `json:"etag"`
}

// CatalogVersion bumps the catalog version the edge uses to key its caches
// whenever the CMS's etag changes. This job is the only writer of the key.
type CatalogVersion struct {
	CMS  Catalog
	Edge ports.Handle
}

func (CatalogVersion) Name() string { return "catalog-version" }

func (c CatalogVersion) Run(ctx context.Context) error {
	etag, err := c.CMS.ETag(ctx)
	if err != nil {
		return err
	}
	var cur catalogVersion
	b, err := c.Edge.Get(ctx, "catalog:version")
	switch {
	case errors.Is(err, ports.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(b, &cur); err != nil {
			return err
		}
	}
	if cur.ETag == etag {
		return nil
	}
	next, _ := json.Marshal(catalogVersion{Version: cur.Version + 1, ETag: etag})
	if err := c.Edge.Put(ctx, "catalog:version", next, nil); err != nil { // DEBATABLE kvrace
		return err
	}
	slog.Info("catalog version bumped", "version", cur.Version+1, "etag", etag)
	return nil
}
