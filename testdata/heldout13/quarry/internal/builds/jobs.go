// Package builds tracks CI build jobs: their lifecycle, numbering and logs.
package builds

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/kvio"
	"example.com/quarry/internal/kvstore"
	"example.com/quarry/internal/policy"
)

// Status is the lifecycle state of a job.
type Status string

const (
	Queued    Status = "queued"
	Running   Status = "running"
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
	Cancelled Status = "cancelled"
)

// transitions lists the states each state may move to.
var transitions = map[Status][]Status{
	Queued:    {Running, Cancelled},
	Running:   {Succeeded, Failed, Cancelled},
	Succeeded: nil,
	Failed:    {Queued}, // retry
	Cancelled: {Queued},
}

// Terminal reports whether s is a final state.
func (s Status) Terminal() bool { return s == Succeeded || s == Failed || s == Cancelled }

// TransitionError is returned for a move the table does not allow.
type TransitionError struct {
	JobID    string
	From, To Status
}

func (e *TransitionError) Error() string {
	return fmt.Sprintf("builds: job %s cannot move from %s to %s", e.JobID, e.From, e.To)
}

// ErrUnknownJob is returned for a job ID that has no record.
var ErrUnknownJob = errors.New("builds: unknown job")

// Step is one command of a job.
type Step struct {
	Name     string        `json:"name"`
	Command  string        `json:"command"`
	Duration time.Duration `json:"duration,omitempty"`
	ExitCode int           `json:"exit_code"`
}

// Job is the stored job record.
type Job struct {
	ID         string    `json:"id"`
	Project    string    `json:"project"`
	Number     int64     `json:"number"`
	Ref        string    `json:"ref"`
	Status     Status    `json:"status"`
	Steps      []Step    `json:"steps"`
	Runner     string    `json:"runner,omitempty"`
	QueuedAt   time.Time `json:"queued_at"`
	StartedAt  time.Time `json:"started_at,omitempty"`
	FinishedAt time.Time `json:"finished_at,omitempty"`
}

// Service manages jobs.
type Service struct {
	st        kvstore.Store
	log       *slog.Logger
	retention time.Duration
	logTTL    time.Duration
	now       func() time.Time
}

// NewService returns a Service.
func NewService(st kvstore.Store, retention, logTTL time.Duration, log *slog.Logger) *Service {
	return &Service{st: st, log: log, retention: retention, logTTL: logTTL, now: time.Now}
}

func jobKey(id string) string      { return policy.Key("jobs", id) }
func seqKey(project string) string { return "seq:" + project }
func progressKey(id string) string { return "progress:" + id }
func logKey(id string) string      { return policy.Key("job-logs", id) }

func newID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Enqueue creates a job record for project at ref and returns it.
func (s *Service) Enqueue(ctx context.Context, project, ref string, steps []Step) (*Job, error) {
	n, err := s.nextNumber(ctx, project)
	if err != nil {
		return nil, err
	}
	job := &Job{
		ID:       newID(),
		Project:  project,
		Number:   n,
		Ref:      ref,
		Status:   Queued,
		Steps:    steps,
		QueuedAt: s.now().UTC(),
	}
	if err := codec.Save(ctx, s.st, jobKey(job.ID), job, kvstore.PutOptions{TTL: policy.Of("jobs").TTL}); err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "job queued", "job", job.ID, "project", project, "number", n)
	return job, nil
}

// nextNumber hands out the project's next build number.
func (s *Service) nextNumber(ctx context.Context, project string) (int64, error) {
	n, _, err := codec.Load[int64](ctx, s.st, seqKey(project))
	if err != nil {
		return 0, err
	}
	n++
	if err := codec.Save(ctx, s.st, seqKey(project), n, kvstore.PutOptions{}); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n, nil
}

// Get returns the job record.
func (s *Service) Get(ctx context.Context, id string) (*Job, error) {
	job, ok, err := codec.Load[Job](ctx, s.st, jobKey(id))
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrUnknownJob
	}
	return &job, nil
}

// Transition moves a job to the next state if the table allows it.
func (s *Service) Transition(ctx context.Context, id string, to Status, runner string) (*Job, error) {
	job, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(transitions[job.Status], to) {
		return nil, &TransitionError{JobID: id, From: job.Status, To: to}
	}
	now := s.now().UTC()
	job.Status = to
	switch to {
	case Running:
		job.StartedAt, job.Runner = now, runner
	case Succeeded, Failed, Cancelled:
		job.FinishedAt = now
	}
	opts := kvstore.PutOptions{TTL: policy.Of("jobs").TTL}
	if to.Terminal() {
		opts = kvstore.PutOptions{
			ExpiresAt: job.FinishedAt.Add(s.retention).UnixMilli(), // EXPECT kvttl
		}
	}
	if err := codec.Save(ctx, s.st, jobKey(id), *job, opts); err != nil { // EXPECT kvrace
		return nil, err
	}
	return job, nil
}

// RecordSteps stores the outcome of each finished step as the runner reports it.
func (s *Service) RecordSteps(ctx context.Context, id string, done []Step) error {
	for i, st := range done {
		body := fmt.Sprintf(`{"step":%d,"name":%q,"exit":%d}`, i, st.Name, st.ExitCode)
		if err := s.st.Put(ctx, progressKey(id), []byte(body), kvstore.PutOptions{TTL: time.Hour}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// AppendLog appends runner output to the job's log.
func (s *Service) AppendLog(ctx context.Context, id string, lines []string) error {
	return kvio.AppendLog(ctx, s.st, logKey(id), lines, kvstore.PutOptions{TTL: s.logTTL})
}
