// Package transcripts runs speech-to-text jobs for published episodes.
// Job state lives in KV next to the transcription workers; the origin only
// learns about finished transcripts.
package transcripts

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.com/ibex/internal/kvrest"
	"example.com/ibex/internal/lifetime"
	"example.com/ibex/internal/repo"
)

var timeNow = time.Now

// leaseTTL is how long a worker holds a job without renewing.
const leaseTTL = 20 * time.Second

// Job is one episode to transcribe.
type Job struct {
	ID        string    `json:"id"`
	EpisodeID string    `json:"episode_id"`
	CreatorID string    `json:"creator_id"`
	AudioURL  string    `json:"audio_url"`
	Language  string    `json:"language"`
	Minutes   int       `json:"minutes"`
	CreatedAt time.Time `json:"created_at"`
}

// Quota is a creator's transcription allowance for a billing period.
type Quota struct {
	CreatorID   string `json:"creator_id"`
	Period      string `json:"period"`
	UsedMinutes int    `json:"used_minutes"`
}

// Segment is a slice of audio the engine transcribes independently.
type Segment struct {
	Index int
	Start time.Duration
	End   time.Duration
}

// Engine is the speech-to-text backend. It transcribes all segments of a
// file in one batch and returns one text per segment.
type Engine interface {
	Segments(ctx context.Context, audioURL string) ([]Segment, error)
	Transcribe(ctx context.Context, audioURL string, segs []Segment, lang string) ([]string, error)
}

// Queue stores and runs jobs.
type Queue struct {
	kv     *kvrest.Client
	ns     string
	quota  *repo.Repo[Quota]
	engine Engine
	worker string
}

// NewQueue returns a Queue in the logical namespace ns.
func NewQueue(kv *kvrest.Client, ns string, engine Engine, worker string) *Queue {
	return &Queue{
		kv:     kv,
		ns:     ns,
		quota:  repo.New[Quota](kv.Bind(ns), repo.WithPrefix("quota:"), repo.WithTTL(lifetime.Days(40).Duration())),
		engine: engine,
		worker: worker,
	}
}

func pendingKey(id string) string { return "job:pending:" + id }

// Enqueue stores a new job.
func (q *Queue) Enqueue(ctx context.Context, j Job) error {
	j.CreatedAt = timeNow().UTC()
	b, err := json.Marshal(j)
	if err != nil {
		return err
	}
	return q.kv.Put(ctx, q.ns, pendingKey(j.ID), b, lifetime.Week.Duration())
}

// Acquire takes the lease on a job. It returns false if another worker
// holds it.
func (q *Queue) Acquire(ctx context.Context, jobID string) (bool, error) {
	key := "lease:" + jobID
	_, held, err := q.kv.Get(ctx, q.ns, key)
	if err != nil || held {
		return false, err
	}
	return true, q.kv.Put(ctx, q.ns, key, []byte(q.worker), leaseTTL) // EXPECT kvrace
}

// Run transcribes one job.
func (q *Queue) Run(ctx context.Context, j Job) error {
	segs, err := q.engine.Segments(ctx, j.AudioURL)
	if err != nil {
		return err
	}
	texts, err := q.engine.Transcribe(ctx, j.AudioURL, segs, j.Language)
	if err != nil {
		_ = q.appendLog(ctx, j.ID, "transcribe: "+err.Error())
		return err
	}
	// Segments are saved individually so the editor can open them before
	// the whole transcript is assembled.
	progressKey := "job:" + j.ID + ":progress"
	for i, text := range texts {
		segKey := fmt.Sprintf("job:%s:seg:%04d", j.ID, segs[i].Index)
		if err := q.kv.Put(ctx, q.ns, segKey, []byte(text), lifetime.Days(2).Duration()); err != nil {
			return err
		}
		progress := fmt.Sprintf(`{"last_segment":%d,"segments":%d}`, segs[i].Index, len(segs))
		if err := q.kv.Put(ctx, q.ns, progressKey, []byte(progress), lifetime.Days(2).Duration()); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if err := q.store(ctx, j, strings.Join(texts, "\n")); err != nil {
		return err
	}
	if err := q.chargeQuota(ctx, j); err != nil {
		return err
	}
	if err := q.appendLog(ctx, j.ID, "done by "+q.worker); err != nil {
		return err
	}
	return q.kv.Delete(ctx, q.ns, pendingKey(j.ID))
}

func (q *Queue) appendLog(ctx context.Context, jobID, line string) error {
	key := "job:" + jobID + ":log"
	old, ok, err := q.kv.Get(ctx, q.ns, key)
	if err != nil {
		return err
	}
	var buf []byte
	if ok {
		buf = old
	}
	buf = append(buf, timeNow().UTC().Format(time.RFC3339)+" "+line+"\n"...)
	return q.kv.Put(ctx, q.ns, key, buf, lifetime.Week.Duration()) // EXPECT kvrace
}

func (q *Queue) chargeQuota(ctx context.Context, j Job) error {
	period := timeNow().UTC().Format("2006-01")
	id := j.CreatorID + ":" + period
	cur, _, err := q.quota.Get(ctx, id)
	if err != nil {
		return err
	}
	cur.CreatorID, cur.Period = j.CreatorID, period
	cur.UsedMinutes += j.Minutes
	return q.quota.Put(ctx, id, cur) // EXPECT kvcounter
}
