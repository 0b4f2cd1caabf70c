// Package importer bulk-loads links from a CSV upload (slug,target[,expires]).
package importer

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"example.com/shortlinks/internal/config"
	"example.com/shortlinks/internal/keys"
	"example.com/shortlinks/internal/links"
	"example.com/shortlinks/internal/repo"
	"example.com/shortlinks/internal/store"
)

type Row struct {
	Line      int
	Slug      string
	Target    string
	ExpiresAt time.Time
}

type Job struct {
	ID        string    `json:"id"`
	Owner     string    `json:"owner"`
	Total     int       `json:"total"`
	Failed    []string  `json:"failed,omitempty"`
	StartedAt time.Time `json:"started_at"`
}

// SaveFunc persists one link record.
type SaveFunc func(ctx context.Context, slug string, l links.Link, opts ...store.PutOption) error

type Importer struct {
	st        store.Store
	jobs      *repo.Repo[Job]
	save      SaveFunc
	workers   int
	maxRows   int
	statusTTL time.Duration
}

func New(st store.Store, cfg config.ImportConfig) *Importer {
	linkRepo := repo.New[links.Link](st, keys.LinkPrefix)
	return &Importer{
		st:        st,
		jobs:      repo.New[Job](st, "import:job:"),
		save:      linkRepo.Save,
		workers:   max(cfg.Workers, 1),
		maxRows:   cfg.MaxRows,
		statusTTL: cfg.StatusTTL,
	}
}

// Parse reads and validates the CSV. Rows that fail validation are returned
// as errors with their line number.
func (im *Importer) Parse(r io.Reader) ([]Row, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	var rows []Row
	var errs []error
	for line := 1; ; line++ {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		if line == 1 && strings.EqualFold(rec[0], "slug") {
			continue
		}
		if len(rec) < 2 {
			errs = append(errs, fmt.Errorf("line %d: want slug,target", line))
			continue
		}
		row := Row{Line: line, Slug: strings.TrimSpace(rec[0]), Target: strings.TrimSpace(rec[1])}
		if len(rec) > 2 && rec[2] != "" {
			t, err := time.Parse(time.RFC3339, rec[2])
			if err != nil || t.Before(time.Now().Add(time.Hour)) {
				errs = append(errs, fmt.Errorf("line %d: expiry must be RFC 3339 and at least an hour ahead", line))
				continue
			}
			row.ExpiresAt = t
		}
		rows = append(rows, row)
		if len(rows) > im.maxRows {
			return nil, fmt.Errorf("import is limited to %d rows", im.maxRows)
		}
	}
	return rows, errors.Join(errs...)
}

// Run writes rows with a pool of workers and keeps a job record for the UI.
func (im *Importer) Run(ctx context.Context, jobID, owner string, rows []Row) error {
	job := Job{ID: jobID, Owner: owner, Total: len(rows), StartedAt: time.Now().UTC()}
	if err := im.jobs.Save(ctx, jobID, job, store.WithTTL(im.statusTTL)); err != nil {
		return err
	}
	progressKey := "import:" + jobID + ":progress"
	ch := make(chan Row)
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		defer close(ch)
		for _, r := range rows {
			select {
			case ch <- r:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	for range im.workers {
		g.Go(func() error {
			for row := range ch {
				l := links.Link{Slug: row.Slug, Target: row.Target, Owner: owner, CreatedAt: time.Now().UTC(), ExpiresAt: row.ExpiresAt}
				var opts []store.PutOption
				if !row.ExpiresAt.IsZero() {
					opts = append(opts, store.WithExpireAt(row.ExpiresAt))
				}
				if err := im.save(gctx, row.Slug, l, opts...); err != nil {
					if err := im.recordFailure(gctx, jobID, row.Slug); err != nil {
						return err
					}
					continue
				}
				if err := im.st.Put(gctx, progressKey, row.Slug, store.WithTTL(im.statusTTL)); err != nil { // EXPECT kvhotkey
					return err
				}
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	done := keys.New("import").Add(jobID).Add("done").String()
	return im.st.Put(ctx, done, time.Now().UTC().Format(time.RFC3339), store.WithTTL(im.statusTTL))
}

func (im *Importer) recordFailure(ctx context.Context, jobID, slug string) error {
	job, err := im.jobs.Get(ctx, jobID)
	if err != nil {
		return err
	}
	job.Failed = append(job.Failed, slug)
	return im.jobs.Save(ctx, jobID, job, store.WithTTL(im.statusTTL)) // EXPECT kvrace
}

// Status returns the job record.
func (im *Importer) Status(ctx context.Context, jobID string) (Job, error) {
	return im.jobs.Get(ctx, jobID)
}
