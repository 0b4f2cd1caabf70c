package transcripts

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
)

// State is the lifecycle state of a job.
type State string

const (
	StateQueued  State = "queued"
	StateRunning State = "running"
	StateFailed  State = "failed"
	StateDone    State = "done"
)

// Status is the job record shown in the creator UI.
type Status struct {
	JobID     string    `json:"job_id"`
	EpisodeID string    `json:"episode_id"`
	State     State     `json:"state"`
	Chunks    int       `json:"chunks"`
	Reason    string    `json:"reason,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

var (
	statusKey   = kv.NewKey[Status]("transcript:job:")
	progressKey = kv.NewKey[int]("transcript:progress:")
	chunkKey    = kv.NewKey[string]("transcript:chunk:")
	textKey     = kv.NewKey[string]("transcript:text:")
	logKey      = kv.NewKey[string]("transcript:log:")
	failureKey  = kv.NewKey[Failure]("transcript:failure:")
)

// Failure is the last failure recorded for an episode's transcript.
type Failure struct {
	JobID     string    `json:"job_id"`
	EpisodeID string    `json:"episode_id"`
	Reason    string    `json:"reason"`
	At        time.Time `json:"at"`
}

// retention is how long job artefacts are kept, by state.
var retention = map[State]time.Duration{
	StateQueued:  48 * time.Hour,
	StateRunning: 48 * time.Hour,
	StateFailed:  7 * 24 * time.Hour,
	StateDone:    30 * 24 * time.Hour,
}

// Notifier tells the creator a transcript is ready.
type Notifier func(ctx context.Context, episodeID string, words int) error

// Consumer applies queue messages to job state.
type Consumer struct {
	store  kv.Store
	clock  clock.Clock
	notify Notifier
}

// NewConsumer returns a Consumer.
func NewConsumer(store kv.Store, c clock.Clock, notify Notifier) *Consumer {
	if notify == nil {
		notify = func(context.Context, string, int) error { return nil }
	}
	return &Consumer{store: store, clock: c, notify: notify}
}

func (c *Consumer) raw(ctx context.Context, key string) []byte {
	b, _ := c.store.Get(ctx, key)
	return b
}

func (c *Consumer) writeStatus(ctx context.Context, st Status) error {
	st.UpdatedAt = c.clock.Now()
	return statusKey.Write(ctx, c.store, st.JobID, st, kv.PutOptions{TTL: retention[st.State]})
}

// Handle applies one message.
func (c *Consumer) Handle(ctx context.Context, msg Message) error {
	switch m := msg.(type) {
	case *JobRequested:
		return c.writeStatus(ctx, Status{JobID: m.JobID, EpisodeID: m.EpisodeID, State: StateQueued, Chunks: m.Chunks})
	case *ChunksTranscribed:
		return c.storeChunks(ctx, m)
	case *JobFailed:
		if err := c.appendLog(ctx, m.JobID, "failed: "+m.Reason); err != nil {
			return err
		}
		var st Status
		if err := json.Unmarshal(c.raw(ctx, statusKey.For(m.JobID)), &st); err != nil { // EXPECT kvnull
			return err
		}
		f := Failure{JobID: m.JobID, EpisodeID: st.EpisodeID, Reason: m.Reason, At: c.clock.Now()}
		return failureKey.Write(ctx, c.store, st.EpisodeID, f, kv.PutOptions{TTL: retention[StateFailed]})
	case *JobCompleted:
		return c.complete(ctx, m)
	default:
		return fmt.Errorf("transcripts: unhandled message %T", msg)
	}
}

func (c *Consumer) storeChunks(ctx context.Context, m *ChunksTranscribed) error {
	ttl := retention[StateRunning]
	for i, text := range m.Texts {
		idx := m.First + i
		if err := chunkKey.Write(ctx, c.store, m.JobID+":"+strconv.Itoa(idx), text, kv.PutOptions{TTL: ttl}); err != nil {
			return err
		}
		if err := progressKey.Write(ctx, c.store, m.JobID, idx+1, kv.PutOptions{TTL: ttl}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func (c *Consumer) appendLog(ctx context.Context, jobID, line string) error {
	key := logKey.For(jobID)
	old, err := c.store.Get(ctx, key)
	if err != nil && !kv.IsNotFound(err) {
		return err
	}
	entry := c.clock.Now().Format(time.RFC3339) + " " + line + "\n"
	return c.store.Put(ctx, key, append(old, entry...), kv.PutOptions{TTL: retention[StateFailed]}) // EXPECT kvrace
}

func (c *Consumer) complete(ctx context.Context, m *JobCompleted) error {
	text, err := c.assemble(ctx, m.JobID, m.Chunks)
	if err != nil {
		return err
	}
	if err := textKey.Write(ctx, c.store, m.EpisodeID, text, kv.PutOptions{}); err != nil {
		return err
	}
	if err := c.writeStatus(ctx, Status{JobID: m.JobID, EpisodeID: m.EpisodeID, State: StateDone, Chunks: m.Chunks}); err != nil {
		return err
	}
	return c.notify(ctx, m.EpisodeID, m.Words)
}

// assemble reads the chunks of a job in bulk requests of at most one
// hundred keys.
func (c *Consumer) assemble(ctx context.Context, jobID string, n int) (string, error) {
	bulk, ok := c.store.(kv.BulkGetter)
	if !ok {
		return "", fmt.Errorf("transcripts: store cannot bulk read")
	}
	var out []byte
	for start := 0; start < n; start += kv.MaxBulkGet {
		keys := make([]string, 0, kv.MaxBulkGet)
		for i := start; i < min(start+kv.MaxBulkGet, n); i++ {
			keys = append(keys, chunkKey.For(jobID+":"+strconv.Itoa(i)))
		}
		vals, err := bulk.GetMany(ctx, keys)
		if err != nil {
			return "", err
		}
		for _, k := range keys {
			v, ok := vals[k]
			if !ok {
				return "", fmt.Errorf("transcripts: missing chunk %s", k)
			}
			var s string
			if err := json.Unmarshal(v, &s); err != nil {
				return "", err
			}
			out = append(out, s...)
			out = append(out, ' ')
		}
	}
	return string(out), nil
}

// Transcript returns the finished text of an episode.
func (c *Consumer) Transcript(ctx context.Context, episodeID string) (string, bool, error) {
	s, err := textKey.Read(ctx, c.store, episodeID)
	if kv.IsNotFound(err) {
		return "", false, nil
	}
	return s, err == nil, err
}
