package exports

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"time"

	"example.com/bellwether/internal/kvstore"
	"example.com/bellwether/internal/votes"
)

// Sink receives exported rows and publishes the finished file.
type Sink interface {
	Write(v votes.Vote) error
	Close(ctx context.Context) (url string, err error)
}

// SinkFactory opens a sink for a job.
type SinkFactory func(ctx context.Context, job Job) (Sink, error)

// Runner executes export jobs one at a time from a queue.
type Runner struct {
	store      kvstore.Store
	d          *Dispatcher
	open       SinkFactory
	maxRows    int
	monthlyCap int
	queue      chan Job
	now        func() time.Time
}

// NewRunner returns a Runner.
func NewRunner(s kvstore.Store, d *Dispatcher, open SinkFactory, maxRows, monthlyCap int) *Runner {
	return &Runner{
		store:      s,
		d:          d,
		open:       open,
		maxRows:    maxRows,
		monthlyCap: monthlyCap,
		queue:      make(chan Job, 64),
		now:        time.Now,
	}
}

// Submit charges the newsroom's quota and queues the job.
func (r *Runner) Submit(ctx context.Context, job Job) error {
	job.CreatedAt = r.now().UTC()
	if err := r.d.Execute(ctx,
		ConsumeQuota{Newsroom: job.Newsroom, Monthly: r.monthlyCap, Month: job.CreatedAt},
		StartJob{Job: job},
		AppendLog{JobID: job.ID, Line: "queued", At: job.CreatedAt},
	); err != nil {
		return err
	}
	select {
	case r.queue <- job:
		return nil
	default:
		return errors.New("exports: queue full, try again shortly")
	}
}

// Serve runs queued jobs until ctx ends.
func (r *Runner) Serve(ctx context.Context) {
	for {
		select {
		case <-ctx.Done():
			return
		case job := <-r.queue:
			if err := r.Run(ctx, job); err != nil {
				log.Printf("exports: job %s: %v", job.ID, err)
				_ = r.d.Execute(ctx, AppendLog{JobID: job.ID, Line: "failed: " + err.Error(), At: r.now()})
			}
		}
	}
}

// Run exports every vote on the job's poll, up to maxRows.
func (r *Runner) Run(ctx context.Context, job Job) error {
	sink, err := r.open(ctx, job)
	if err != nil {
		return err
	}
	rows, truncated := 0, false
	for key, err := range kvstore.Keys(ctx, r.store, votes.VotePrefix(job.PollID)) {
		if err != nil {
			return err
		}
		if rows >= r.maxRows {
			truncated = true
			break
		}
		raw, err := r.store.Get(ctx, key) // EXPECT kvlist
		if errors.Is(err, kvstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		var v votes.Vote
		if err := json.Unmarshal(raw, &v); err != nil {
			return fmt.Errorf("exports: %s: %w", key, err)
		}
		if err := sink.Write(v); err != nil {
			return err
		}
		rows++
		if err := r.store.Put(ctx, progressKey(job.ID), []byte(key)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	url, err := sink.Close(ctx)
	if err != nil {
		return err
	}
	now := r.now().UTC()
	return r.d.Execute(ctx,
		Finish{Result: Result{JobID: job.ID, URL: url, Rows: rows, Truncated: truncated, FinishedAt: now}},
		AppendLog{JobID: job.ID, Line: fmt.Sprintf("finished: %d rows", rows), At: now},
	)
}

// Estimate counts the votes an export of pollID would contain.
func (r *Runner) Estimate(ctx context.Context, pollID string) (int, error) {
	lister, ok := r.store.(kvstore.Lister)
	if !ok {
		return 0, kvstore.ErrUnsupported
	}
	n := 0
	for _, err := range lister.Keys(ctx, votes.VotePrefix(pollID)) { // EXPECT kvlist
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// MemorySink buffers rows as JSON lines; Close hands them to upload.
type MemorySink struct {
	buf    bytes.Buffer
	enc    *json.Encoder
	upload func(ctx context.Context, body []byte) (string, error)
}

// NewMemorySink returns a sink that uploads with upload.
func NewMemorySink(upload func(ctx context.Context, body []byte) (string, error)) *MemorySink {
	s := &MemorySink{upload: upload}
	s.enc = json.NewEncoder(&s.buf)
	return s
}

func (s *MemorySink) Write(v votes.Vote) error { return s.enc.Encode(v) }

func (s *MemorySink) Close(ctx context.Context) (string, error) {
	return s.upload(ctx, s.buf.Bytes())
}
