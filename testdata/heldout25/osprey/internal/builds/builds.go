// Package builds records CI build status reported by the build runners.
package builds

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"example.com/osprey/internal/codec"
	"example.com/osprey/internal/config"
	"example.com/osprey/internal/domain"
	"example.com/osprey/internal/storage"
)

// Tracker stores build status.
type Tracker interface {
	Record(ctx context.Context, b domain.Build) error
	RecordAll(ctx context.Context, project string, bs []domain.Build) error
	Get(ctx context.Context, project, id string) (domain.Build, error)
	Latest(ctx context.Context, project string) (domain.Build, error)
	Archive(ctx context.Context, bs []domain.Build) error
}

type tracker struct {
	raw    storage.Raw
	builds storage.Store[string, domain.Build]
	counts storage.Store[string, int64]
	cache  config.Cache
}

var _ Tracker = (*tracker)(nil)

// NewTracker returns a Tracker over raw, using the cache TTLs in c.
func NewTracker(raw storage.Raw, c config.Cache) Tracker {
	return &tracker{
		raw:    raw,
		builds: storage.NewTyped[string, domain.Build](raw, codec.JSON[domain.Build]{}),
		counts: storage.NewTyped[string, int64](raw, codec.Int{}),
		cache:  c,
	}
}

func buildKey(project, id string) string { return fmt.Sprintf("builds/%s/%s", project, id) }
func latestKey(project string) string    { return fmt.Sprintf("builds/%s/latest", project) }
func countKey(project string) string     { return strings.Join([]string{"builds", project, "count"}, "/") }

func (t *tracker) Record(ctx context.Context, b domain.Build) error {
	if b.ID == "" || b.Project == "" {
		return errors.New("build id and project are required")
	}
	b.Touch(time.Now())
	if err := t.builds.Put(ctx, buildKey(b.Project, b.ID), b, storage.WithTTL(t.cache.Builds.TTL)); err != nil {
		return err
	}
	if b.State == domain.BuildQueued {
		return t.bump(ctx, b.Project)
	}
	return nil
}

func (t *tracker) bump(ctx context.Context, project string) error {
	n, err := t.counts.Get(ctx, countKey(project))
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	return t.counts.Put(ctx, countKey(project), n+1) // EXPECT kvcounter
}

// RecordAll stores a runner's batch report, oldest first, keeping the
// latest pointer current as it goes.
func (t *tracker) RecordAll(ctx context.Context, project string, bs []domain.Build) error {
	sort.Slice(bs, func(i, j int) bool { return bs[i].UpdatedAt.Before(bs[j].UpdatedAt) })
	for _, b := range bs {
		if b.Project != project {
			continue
		}
		if err := t.builds.Put(ctx, buildKey(project, b.ID), b, storage.WithTTL(time.Hour)); err != nil {
			return err
		}
		if err := t.builds.Put(ctx, latestKey(project), b); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func (t *tracker) Get(ctx context.Context, project, id string) (domain.Build, error) {
	b, err := t.builds.Get(ctx, buildKey(project, id))
	if errors.Is(err, storage.ErrNotFound) {
		return domain.Build{}, domain.ErrNotFound
	}
	return b, err
}

func (t *tracker) Latest(ctx context.Context, project string) (domain.Build, error) {
	b, err := t.builds.Get(ctx, latestKey(project))
	if errors.Is(err, storage.ErrNotFound) {
		return domain.Build{}, domain.ErrNotFound
	}
	return b, err
}

// Archive moves finished builds into the long-term archive in one batch;
// every build has its own key.
func (t *tracker) Archive(ctx context.Context, bs []domain.Build) error {
	var batch storage.Batch
	for _, b := range bs {
		if b.State != domain.BuildPassed && b.State != domain.BuildFailed {
			continue
		}
		v, err := codec.JSON[domain.Build]{}.Encode(b)
		if err != nil {
			return err
		}
		batch = batch.Add(path3("archive", b.Project, b.ID), v, 30*24*time.Hour)
	}
	return batch.Flush(ctx, t.raw)
}

func path3(a, b, c string) string { return a + "/" + b + "/" + c }
