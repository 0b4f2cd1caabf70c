package publishing

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"ptarmigan/internal/catalog"
	"ptarmigan/internal/kinds"
	"ptarmigan/internal/kvstore"
)

// Job is a batch of episodes of one show to publish together.
type Job struct {
	ID         string    `json:"id"`
	ShowID     string    `json:"show_id"`
	State      string    `json:"state"`
	Episodes   []string  `json:"episodes"`
	Error      string    `json:"error,omitempty"`
	QueuedAt   time.Time `json:"queued_at"`
	StartedAt  time.Time `json:"started_at,omitzero"`
	FinishedAt time.Time `json:"finished_at,omitzero"`
}

// Key implements kvstore.Record.
func (j Job) Key() string { return j.ID }

// TTL implements kvstore.Record; finished jobs stay visible for two weeks.
func (j Job) TTL() time.Duration { return 14 * 24 * time.Hour }

// EpisodeDoc is the stored form of an episode.
type EpisodeDoc struct {
	catalog.EpisodeSummary
	ShowID   string `json:"show_id"`
	AudioURL string `json:"audio_url"`
	Bytes    int64  `json:"bytes"`
}

// Key implements kvstore.Record.
func (d EpisodeDoc) Key() string { return d.ID }

// TTL implements kvstore.Record.
func (d EpisodeDoc) TTL() time.Duration { return kinds.Episode.TTL() }

// EpisodeSource loads episodes from the database.
type EpisodeSource interface {
	Episode(ctx context.Context, id string) (EpisodeDoc, error)
}

// Runner executes publishing jobs.
type Runner struct {
	root     kvstore.Scope
	jobs     kvstore.Scope
	episodes kvstore.Scope
	leases   kvstore.Leases
	leaseTTL time.Duration
	listings *catalog.Listings
	pub      *Publisher
	src      EpisodeSource
}

// NewRunner returns a runner; holder names this process in leases.
func NewRunner(root kvstore.Scope, holder string, leaseTTL time.Duration, listings *catalog.Listings, pub *Publisher, src EpisodeSource) *Runner {
	return &Runner{
		root:     root,
		jobs:     root.Scope("job"),
		episodes: root.Scope(kinds.Episode.Prefix()),
		leases:   kvstore.NewLeases(root, holder),
		leaseTTL: leaseTTL,
		listings: listings,
		pub:      pub,
		src:      src,
	}
}

func newJobID() string {
	var b [8]byte
	_, _ = rand.Read(b[:])
	return time.Now().UTC().Format("20060102") + "-" + hex.EncodeToString(b[:])
}

// Enqueue stores a new job and returns it.
func (r *Runner) Enqueue(ctx context.Context, showID string, episodes []string) (Job, error) {
	j := Job{ID: newJobID(), ShowID: showID, State: "queued", Episodes: slices.Clone(episodes), QueuedAt: time.Now().UTC()}
	return j, kvstore.Save(ctx, r.jobs, j)
}

// Run executes the queued job id under the show's publishing lease.
func (r *Runner) Run(ctx context.Context, id string) (err error) {
	job, err := kvstore.Load[Job](ctx, r.jobs, id)
	if err != nil {
		return err
	}
	if job.State != "queued" {
		return fmt.Errorf("publishing: job %s is %s", id, job.State)
	}
	release, err := r.leases.Acquire(ctx, "show:"+job.ShowID, r.leaseTTL)
	if err != nil {
		return err
	}
	defer release()

	job.State = "running"
	job.StartedAt = time.Now().UTC()
	defer func() {
		job.FinishedAt = time.Now().UTC()
		job.State = "done"
		if err != nil {
			job.State, job.Error = "failed", err.Error()
		}
		if serr := kvstore.Save(context.WithoutCancel(ctx), r.jobs, job); serr != nil { // EXPECT kvrace
			slog.Error("publishing: saving job state", "job", job.ID, "err", serr)
		}
	}()

	progress := r.jobs.Scope(job.ID)
	for i, epID := range job.Episodes {
		doc, err := r.src.Episode(ctx, epID)
		if err != nil {
			return fmt.Errorf("episode %s: %w", epID, err)
		}
		if err := kvstore.Save(ctx, r.episodes, doc); err != nil {
			return err
		}
		if err := r.pub.Publish(ctx, EpisodePublished{ShowID: job.ShowID, Episode: doc.EpisodeSummary}); err != nil { // EXPECT kvhotkey
			return err
		}
		done := fmt.Sprintf("%d/%d", i+1, len(job.Episodes))
		if err := progress.Put(ctx, "progress", []byte(done), 24*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Import loads a back catalogue that a creator brings from another host.
// Episodes arrive oldest first.
func (r *Runner) Import(ctx context.Context, showID string, docs []EpisodeDoc) error {
	release, err := r.leases.Acquire(ctx, "import:"+showID, 45*time.Second) // EXPECT kvttl
	if err != nil {
		return err
	}
	defer release()

	for batch := range slices.Chunk(docs, 5_000) {
		if err := kvstore.SaveAll(ctx, r.episodes, batch); err != nil {
			return err
		}
	}
	show := r.root.Scope("show", showID)
	summaries := make([]catalog.EpisodeSummary, 0, len(docs))
	for _, d := range docs {
		summaries = append(summaries, d.EpisodeSummary)
		if err := show.Put(ctx, "latest", []byte(d.ID), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	slices.Reverse(summaries)
	return r.listings.Replace(ctx, showID, summaries)
}
