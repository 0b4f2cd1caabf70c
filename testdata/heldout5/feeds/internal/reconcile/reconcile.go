// Package reconcile compares the article documents in KV with the database
// and repairs drift: missing documents are republished, documents of deleted
// articles are removed.
package reconcile

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"time"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/source"
)

// Report summarises one run.
type Report struct {
	Checked     int
	Republished int
	Removed     int
	Mismatched  int
	Took        time.Duration
}

// Job reconciles the content namespace with the database.
type Job struct {
	kv       kv.Store
	db       source.Articles
	batch    int
	maxPages int
	log      *slog.Logger
}

// Option configures a Job.
type Option func(*Job)

func WithBatch(n int) Option           { return func(j *Job) { j.batch = n } }
func WithMaxPages(n int) Option        { return func(j *Job) { j.maxPages = n } }
func WithLogger(l *slog.Logger) Option { return func(j *Job) { j.log = l } }

// New returns a reconcile job.
func New(store kv.Store, db source.Articles, opts ...Option) *Job {
	j := &Job{kv: store, db: db, batch: 500, maxPages: 50, log: slog.Default()}
	for _, o := range opts {
		o(j)
	}
	return j
}

type doc struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Section   string    `json:"section"`
	Title     string    `json:"title"`
	Summary   string    `json:"summary"`
	Published time.Time `json:"published"`
}

func render(a source.Article) ([]byte, string) {
	b, _ := json.Marshal(doc{ID: a.ID, Slug: a.Slug, Section: a.Section, Title: a.Title, Summary: a.Summary, Published: a.PublishedAt})
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:])
}

func (j *Job) republish(ctx context.Context, a source.Article) error {
	body, sha := render(a)
	return j.kv.Put(ctx, "article:"+a.ID, body, kv.PutOptions{
		Metadata: map[string]string{"kind": "article", "sha": sha, "slug": a.Slug, "lastmod": a.UpdatedAt.UTC().Format(time.RFC3339)},
	})
}

// Run republishes articles that are in the database but not in KV and removes
// documents whose article no longer exists.
func (j *Job) Run(ctx context.Context) (Report, error) {
	start := time.Now()
	var rep Report

	page, err := j.kv.List(ctx, kv.ListParams{Prefix: "article:", Limit: 1000}) // EXPECT kvlist
	if err != nil {
		return rep, err
	}
	inKV := make(map[string]bool, len(page.Keys))
	for _, k := range page.Keys {
		inKV[strings.TrimPrefix(k.Name, "article:")] = true
	}

	after := ""
	for {
		rows, err := j.db.ListAfter(ctx, after, j.batch)
		if err != nil {
			return rep, err
		}
		if len(rows) == 0 {
			break
		}
		for _, a := range rows {
			rep.Checked++
			if inKV[a.ID] {
				delete(inKV, a.ID)
				continue
			}
			if err := j.republish(ctx, a); err != nil {
				return rep, err
			}
			rep.Republished++
		}
		after = rows[len(rows)-1].ID
	}

	for id := range inKV {
		if err := j.kv.Delete(ctx, "article:"+id); err != nil {
			return rep, err
		}
		rep.Removed++
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// Verify compares document bodies with the database, a bounded number of
// pages per run.
func (j *Job) Verify(ctx context.Context) (Report, error) {
	start := time.Now()
	var rep Report
	cursor := ""
	for range j.maxPages {
		page, err := j.kv.List(ctx, kv.ListParams{Prefix: "article:", Cursor: cursor})
		if err != nil {
			return rep, err
		}
		for _, k := range page.Keys {
			body, err := j.kv.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			id := strings.TrimPrefix(k.Name, "article:")
			a, err := j.db.Get(ctx, id)
			if errors.Is(err, source.ErrNotFound) {
				continue
			} else if err != nil {
				return rep, err
			}
			rep.Checked++
			if want, _ := render(a); string(want) != string(body) {
				rep.Mismatched++
				if err := j.republish(ctx, a); err != nil {
					return rep, err
				}
			}
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	rep.Took = time.Since(start)
	return rep, nil
}

// VerifyHashes is the cheap variant: it compares the sha stored in key
// metadata with the database and never reads a value.
func (j *Job) VerifyHashes(ctx context.Context, cursor string) (next string, rep Report, err error) {
	page, err := j.kv.List(ctx, kv.ListParams{Prefix: "article:", Cursor: cursor})
	if err != nil {
		return cursor, rep, err
	}
	for _, k := range page.Keys {
		a, err := j.db.Get(ctx, strings.TrimPrefix(k.Name, "article:"))
		if err != nil {
			continue
		}
		rep.Checked++
		if _, sha := render(a); k.Metadata["sha"] != sha {
			rep.Mismatched++
			if err := j.republish(ctx, a); err != nil {
				return cursor, rep, err
			}
		}
	}
	if page.Complete {
		return "", rep, nil
	}
	return page.Cursor, rep, nil
}

// SweepIndexes deletes section index pages whose section no longer exists.
func (j *Job) SweepIndexes(ctx context.Context, live map[string]bool) (int, error) {
	removed := 0
	params := kv.ListParams{Prefix: "index:", Limit: 500}
	for {
		page, err := j.kv.List(ctx, params) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		for _, k := range page.Keys {
			section, _, _ := strings.Cut(strings.TrimPrefix(k.Name, "index:"), ":")
			if live[section] {
				continue
			}
			if err := j.kv.Delete(ctx, k.Name); err != nil {
				return removed, err
			}
			removed++
		}
		if page.Complete {
			return removed, nil
		}
		params = kv.ListParams{Cursor: page.Cursor, Limit: 500}
	}
}
