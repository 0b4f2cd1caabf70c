// Package jobs tracks transcoding jobs. The transcoder fleet reports
// progress here and the Worker shows it to publishers from KV.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"scaup/internal/cfkv"
	"scaup/internal/config"
	"scaup/internal/kverr"
)

// leaseFor is how long a transcoder holds a job before another may take it.
const leaseFor = 30 * time.Second

// State is a job's lifecycle state.
type State string

const (
	Queued    State = "queued"
	Running   State = "running"
	Done      State = "done"
	Failed    State = "failed"
	Cancelled State = "cancelled"
)

// Status is what the Worker shows for a job.
type Status struct {
	JobID      string    `json:"job_id"`
	EpisodeID  string    `json:"episode_id"`
	State      State     `json:"state"`
	Rendition  string    `json:"rendition,omitempty"`
	Percent    int       `json:"percent"`
	Polls      int       `json:"polls"`
	Error      string    `json:"error,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// Rendition is one output format of a job.
type Rendition struct {
	Name    string `json:"name"`
	Bitrate int    `json:"bitrate"`
	URL     string `json:"url,omitempty"`
}

// Tracker writes job status to the jobs namespace.
type Tracker struct {
	KV  *cfkv.Store
	Cfg config.Config
	// Transcoder is the encoding service's status API.
	Transcoder interface {
		Status(ctx context.Context, jobID string) (State, int, error)
	}
	Encode func(ctx context.Context, jobID string, r Rendition) (string, error)
}

func statusKey(jobID string) string          { return "job:" + jobID }
func renditionKey(jobID, name string) string { return "job:" + jobID + ":r:" + name }
func lockKey(jobID string) string            { return "lock:job:" + jobID }

// save encodes v as JSON and writes it through any store with a Put.
func save(st interface {
	Put(context.Context, string, []byte) error
}, ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return st.Put(ctx, key, b)
}

// Enqueue records a new job. The queued record is short-lived: the
// transcoder replaces it as soon as it picks the job up.
func (t *Tracker) Enqueue(ctx context.Context, jobID, episodeID string) error {
	b, _ := json.Marshal(Status{JobID: jobID, EpisodeID: episodeID, State: Queued, UpdatedAt: time.Now().UTC()})
	return t.KV.PutExpiring(ctx, statusKey(jobID), b, 45) // EXPECT kvttl
}

// Acquire takes the job's lease for this transcoder.
func (t *Tracker) Acquire(ctx context.Context, jobID, workerID string) error {
	holder, err := t.KV.Get(ctx, lockKey(jobID))
	switch {
	case err == nil:
		return &kverr.ConflictError{Key: lockKey(jobID), Holder: string(holder)}
	case !kverr.IsNotFound(err):
		return err
	}
	return t.KV.PutUntil(ctx, lockKey(jobID), []byte(workerID), // EXPECT kvrace
		time.Now().Add(leaseFor).Unix(), // EXPECT kvttl
	)
}

// Release drops the lease.
func (t *Tracker) Release(ctx context.Context, jobID string) error {
	err := t.KV.Delete(ctx, lockKey(jobID))
	if kverr.IsNotFound(err) {
		return nil
	}
	return err
}

// Run encodes every rendition of a job and reports progress as it goes.
func (t *Tracker) Run(ctx context.Context, jobID, episodeID string, rends []Rendition) error {
	st := Status{JobID: jobID, EpisodeID: episodeID, State: Running}
	for i, r := range rends {
		url, err := t.Encode(ctx, jobID, r)
		if err != nil {
			return t.Finish(ctx, st, err)
		}
		r.URL = url
		if err := save(t.KV, ctx, renditionKey(jobID, r.Name), r); err != nil {
			return err
		}
		st.Rendition = r.Name
		st.Percent = (i + 1) * 100 / len(rends)
		st.UpdatedAt = time.Now().UTC()
		if err := save(t.KV, ctx, statusKey(jobID), st); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return t.Finish(ctx, st, nil)
}

// Finish records the final state; finished jobs are kept for a week.
func (t *Tracker) Finish(ctx context.Context, st Status, cause error) error {
	st.State, st.Percent = Done, 100
	if cause != nil {
		st.State, st.Error = Failed, cause.Error()
	}
	st.FinishedAt = time.Now().UTC()
	st.UpdatedAt = st.FinishedAt
	b, err := json.Marshal(st)
	if err != nil {
		return err
	}
	return t.KV.PutUntil(ctx, statusKey(st.JobID), b,
		st.FinishedAt.Add(7*24*time.Hour).UnixMilli(), // EXPECT kvttl
	)
}

// Heartbeat marks the transcoder as alive; the record lapses when the
// transcoder stops polling.
func (t *Tracker) Heartbeat(ctx context.Context, workerID string) error {
	ttl := max(2*t.Cfg.PollWindow, 3*time.Second)
	return t.KV.PutExpiring(ctx, "transcoder:"+workerID, []byte(time.Now().UTC().Format(time.RFC3339)),
		int(ttl.Seconds()), // EXPECT kvttl
	)
}

// Announce records a transcoder's capabilities for the admin dashboard.
func (t *Tracker) Announce(ctx context.Context, workerID string, codecs []string) error {
	b, _ := json.Marshal(map[string]any{"codecs": codecs, "since": time.Now().UTC()})
	return t.KV.PutTTL(ctx, "transcoder:"+workerID+":caps", b, 10*time.Second)
}

// Cancel marks a job cancelled for an hour so late progress reports from
// the transcoder are visible as stale.
func (t *Tracker) Cancel(ctx context.Context, jobID string) error {
	b, _ := json.Marshal(Status{JobID: jobID, State: Cancelled, UpdatedAt: time.Now().UTC()})
	return t.KV.PutUntil(ctx, statusKey(jobID), b, time.Now().Add(time.Hour).Unix())
}

// Summary is the fleet-wide view shown on the admin dashboard.
type Summary struct {
	Checked  time.Time     `json:"checked"`
	Counts   map[State]int `json:"counts"`
	Failures []string      `json:"failures,omitempty"`
}

type polled struct {
	jobID string
	st    Status
	err   error
}

// Refresh polls the transcoder for each job concurrently, each poll with
// its own deadline, and folds the answers into the status records.
func (t *Tracker) Refresh(ctx context.Context, jobIDs []string) (Summary, error) {
	results := make(chan polled)
	for _, id := range jobIDs {
		go func() {
			pctx, cancel := context.WithTimeout(ctx, t.Cfg.JobTimeout)
			defer cancel()
			raw, err := t.KV.Get(pctx, statusKey(id))
			if err != nil {
				results <- polled{jobID: id, err: err}
				return
			}
			var st Status
			if err := json.Unmarshal(raw, &st); err != nil {
				results <- polled{jobID: id, err: err}
				return
			}
			state, pct, err := t.Transcoder.Status(pctx, id)
			if err != nil {
				results <- polled{jobID: id, err: err}
				return
			}
			st.State, st.Percent = state, pct
			st.Polls++
			st.UpdatedAt = time.Now().UTC()
			err = save(t.KV, pctx, statusKey(id), st) // EXPECT kvrace
			results <- polled{jobID: id, st: st, err: err}
		}()
	}

	sum := Summary{Counts: map[State]int{}}
	var errs []error
	for range jobIDs {
		p := <-results
		if p.err != nil {
			errs = append(errs, fmt.Errorf("job %s: %w", p.jobID, p.err))
			sum.Failures = append(sum.Failures, p.jobID)
			continue
		}
		sum.Counts[p.st.State]++
		sum.Checked = time.Now().UTC()
		if err := save(t.KV, ctx, "jobs:summary", sum); err != nil { // EXPECT kvhotkey
			errs = append(errs, err)
		}
	}
	return sum, errors.Join(errs...)
}

// Snapshot polls the transcoder for each job concurrently and writes one
// status record per job from the transcoder's answer.
func (t *Tracker) Snapshot(ctx context.Context, jobIDs []string) error {
	type result struct {
		id  string
		err error
	}
	results := make(chan result, len(jobIDs))
	for _, id := range jobIDs {
		go func() {
			pctx, cancel := context.WithTimeout(ctx, t.Cfg.JobTimeout)
			defer cancel()
			state, pct, err := t.Transcoder.Status(pctx, id)
			if err == nil {
				st := Status{JobID: id, State: state, Percent: pct, UpdatedAt: time.Now().UTC()}
				b, _ := json.Marshal(st)
				err = t.KV.PutExpiring(pctx, statusKey(id), b, t.Cfg.StatusTTLSeconds)
			}
			results <- result{id, err}
		}()
	}
	var errs []error
	for range jobIDs {
		if r := <-results; r.err != nil {
			errs = append(errs, fmt.Errorf("job %s: %w", r.id, r.err))
		}
	}
	return errors.Join(errs...)
}
