// Package queue puts build jobs on the per-pool queues that runners claim
// from.
package queue

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"

	"github.com/kereru-ci/piwakawaka/internal/kvstore"
)

// Job is a build request waiting for a runner.
type Job struct {
	ID        string    `json:"id"`
	Pool      string    `json:"pool"`
	Repo      string    `json:"repo"`
	SHA       string    `json:"sha"`
	Ref       string    `json:"ref,omitempty"`
	Trigger   string    `json:"trigger"`
	CreatedAt time.Time `json:"created_at"`
}

// Queue writes jobs into the main namespace.
type Queue struct {
	KV *kvstore.Store
}

const (
	specRetention   = 7 * 24 * time.Hour
	recentRetention = 24 * time.Hour
)

// NewJobID returns a sortable, unique job identifier.
func NewJobID(now time.Time) string {
	return now.UTC().Format("20060102T150405") + "-" + rand.Text()[:10]
}

// Enqueue stores the job spec, lists the job under its pool, and records it
// in the pool's recent list shown on the dashboard.
func (q *Queue) Enqueue(ctx context.Context, job Job) error {
	if job.ID == "" {
		job.ID = NewJobID(time.Now())
	}
	spec, err := json.Marshal(job)
	if err != nil {
		return err
	}
	if err := q.KV.PutTTL(ctx, "jobs/"+job.ID+"/spec", spec, specRetention); err != nil {
		return fmt.Errorf("enqueue %s: %w", job.ID, err)
	}
	meta := map[string]any{"state": "queued", "repo": job.Repo, "trigger": job.Trigger}
	if err := q.KV.Put(ctx, "queue/"+job.Pool+"/jobs/"+job.ID, spec, meta); err != nil {
		return fmt.Errorf("enqueue %s: %w", job.ID, err)
	}
	return q.KV.AppendJSON(ctx, "queue/"+job.Pool+"/recent", job.ID, recentRetention)
}
