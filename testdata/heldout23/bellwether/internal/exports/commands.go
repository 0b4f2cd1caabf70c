// Package exports produces downloadable files of a poll's raw votes for
// newsroom data desks.
package exports

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/bellwether/internal/kvstore"
	"example.com/bellwether/internal/ttlpolicy"
)

// Command is one state change of an export, applied to a store.
type Command interface {
	Apply(ctx context.Context, s kvstore.Store) error
}

// Job describes one export.
type Job struct {
	ID        string    `json:"id"`
	PollID    string    `json:"poll_id"`
	Newsroom  string    `json:"newsroom"`
	Format    string    `json:"format"`
	CreatedAt time.Time `json:"created_at"`
}

// Result is what a finished export leaves behind.
type Result struct {
	JobID      string    `json:"job_id"`
	URL        string    `json:"url"`
	Rows       int       `json:"rows"`
	Truncated  bool      `json:"truncated"`
	FinishedAt time.Time `json:"finished_at"`
}

// ErrQuotaExceeded is returned when a newsroom has used its monthly exports.
var ErrQuotaExceeded = errors.New("exports: monthly export quota exceeded")

func jobKey(id string) string      { return "export:" + id }
func resultKey(id string) string   { return "export-result:" + id }
func logKey(id string) string      { return "export-log:" + id }
func progressKey(id string) string { return "export-progress:" + id }

// StartJob records a new job.
type StartJob struct{ Job Job }

func (c StartJob) Apply(ctx context.Context, s kvstore.Store) error {
	return kvstore.NewWriter(s).Entry(jobKey(c.Job.ID)).JSON(c.Job).TTL(ttlpolicy.ExportLinkTTL).Put(ctx)
}

// AppendLog adds a line to a job's log.
type AppendLog struct {
	JobID string
	Line  string
	At    time.Time
}

func (c AppendLog) Apply(ctx context.Context, s kvstore.Store) error {
	old, err := s.Get(ctx, logKey(c.JobID))
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	next := string(old) + c.At.UTC().Format(time.RFC3339) + " " + c.Line + "\n"
	return s.Put(ctx, logKey(c.JobID), []byte(next), kvstore.WithTTL(ttlpolicy.ExportLinkTTL)) // EXPECT kvrace
}

// ConsumeQuota charges one export to a newsroom's monthly allowance.
type ConsumeQuota struct {
	Newsroom string
	Monthly  int
	Month    time.Time
}

func (c ConsumeQuota) Apply(ctx context.Context, s kvstore.Store) error {
	key := fmt.Sprintf("quota:exports:%s:%s", c.Newsroom, c.Month.UTC().Format("2006-01"))
	used := 0
	raw, err := s.Get(ctx, key)
	switch {
	case err == nil:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("exports: quota %s: %w", key, err)
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	if used >= c.Monthly {
		return ErrQuotaExceeded
	}
	return kvstore.NewWriter(s).Entry(key).String(strconv.Itoa(used + 1)).TTL(40 * 24 * time.Hour).Put(ctx) // EXPECT kvcounter
}

// Finish records where the finished file is.
type Finish struct{ Result Result }

func (c Finish) Apply(ctx context.Context, s kvstore.Store) error {
	body, err := json.Marshal(c.Result)
	if err != nil {
		return err
	}
	return s.Put(ctx, resultKey(c.Result.JobID), body, kvstore.WithExpiry(c.Result.FinishedAt.Add(ttlpolicy.ExportLinkTTL)))
}

// Dispatcher applies commands in order, stopping at the first failure.
type Dispatcher struct {
	store kvstore.Store
}

// NewDispatcher returns a Dispatcher over s.
func NewDispatcher(s kvstore.Store) *Dispatcher { return &Dispatcher{store: s} }

// Execute applies cmds in order.
func (d *Dispatcher) Execute(ctx context.Context, cmds ...Command) error {
	for _, c := range cmds {
		if err := c.Apply(ctx, d.store); err != nil {
			return fmt.Errorf("exports: %T: %w", c, err)
		}
	}
	return nil
}
