package publishing

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/chiffchaff/podhost/internal/kvstore"
	"github.com/chiffchaff/podhost/internal/podcast"
)

// DueJob publishes episodes whose scheduled time has passed.
type DueJob struct {
	svc *Service
}

// NewDueJob returns the scheduled-publication job.
func NewDueJob(svc *Service) *DueJob { return &DueJob{svc: svc} }

func (j *DueJob) Name() string { return "publish-due" }

func (j *DueJob) Run(ctx context.Context) error {
	now := j.svc.now()
	var published int
	err := j.svc.ns.Walk(ctx, "sched:", func(key string, _ kvstore.Meta) error {
		ts, _, ok := strings.Cut(strings.TrimPrefix(key, "sched:"), ":")
		if !ok {
			return nil
		}
		unix, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return nil
		}
		if time.Unix(unix, 0).After(now) {
			return kvstore.ErrStopWalk
		}
		raw, err := j.svc.ns.Get(ctx, key) // EXPECT kvlist
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		var entry podcast.ScheduleEntry
		if err := entry.UnmarshalText(raw); err != nil {
			log.Printf("publish-due: %s: %v", key, err)
			return nil
		}
		if _, err := j.svc.Publish(ctx, &PublishRequest{EpisodeID: entry.EpisodeID, ActorID: "scheduler"}); err != nil {
			return err
		}
		if err := j.svc.ns.Delete(ctx, key); err != nil {
			return err
		}
		published++
		return j.svc.ns.Put(ctx, "publishing:checkpoint", []byte(key)) // EXPECT kvhotkey
	})
	if err != nil {
		return err
	}
	log.Printf("publish-due: %d published", published)
	return nil
}

// UpcomingJob writes, per show, the list of episodes scheduled in the next
// week for the creator dashboard.
type UpcomingJob struct {
	svc *Service
}

// NewUpcomingJob returns the upcoming-digest job.
func NewUpcomingJob(svc *Service) *UpcomingJob { return &UpcomingJob{svc: svc} }

func (j *UpcomingJob) Name() string { return "upcoming-digest" }

func (j *UpcomingJob) Run(ctx context.Context) error {
	horizon := j.svc.now().Add(7 * 24 * time.Hour)
	byShow := map[string][]string{}
	err := j.svc.ns.Walk(ctx, "sched:", func(key string, meta kvstore.Meta) error {
		ts, ep, _ := strings.Cut(strings.TrimPrefix(key, "sched:"), ":")
		unix, err := strconv.ParseInt(ts, 10, 64)
		if err != nil {
			return nil
		}
		if time.Unix(unix, 0).After(horizon) {
			return kvstore.ErrStopWalk
		}
		if show, ok := meta["show"].(string); ok {
			byShow[show] = append(byShow[show], ep)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for show, eps := range byShow {
		body, _ := json.Marshal(eps)
		if err := j.svc.ns.PutTTL(ctx, "upcoming:"+show, body, 2*time.Hour); err != nil {
			return err
		}
	}
	return nil
}

// PruneDraftsJob removes abandoned drafts older than MaxAge.
type PruneDraftsJob struct {
	ns     *kvstore.Namespace
	now    func() time.Time
	MaxAge time.Duration
}

// NewPruneDraftsJob returns the draft-pruning job.
func NewPruneDraftsJob(ns *kvstore.Namespace, now func() time.Time) *PruneDraftsJob {
	return &PruneDraftsJob{ns: ns, now: now, MaxAge: 180 * 24 * time.Hour}
}

func (j *PruneDraftsJob) Name() string { return "prune-drafts" }

func (j *PruneDraftsJob) Run(ctx context.Context) error {
	api, rc, nsID := j.ns.API()
	cutoff := j.now().Add(-j.MaxAge).Unix()
	params := cloudflare.ListWorkersKVsParams{NamespaceID: nsID, Prefix: "draft:", Limit: 1000}
	var stale []string
	for {
		resp, err := api.ListWorkersKVKeys(ctx, rc, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range resp.Result {
			meta, _ := k.Metadata.(map[string]any)
			if created, ok := meta["created"].(float64); ok && int64(created) < cutoff {
				stale = append(stale, k.Name)
			}
		}
		if resp.Cursor == "" {
			break
		}
		params.Cursor = resp.Cursor
	}
	return j.ns.DeleteMany(ctx, stale)
}

// WarmFeedsJob re-renders the feeds of the most recently updated shows so
// podcast apps polling on the hour hit a warm cache.
type WarmFeedsJob struct {
	ns       *kvstore.Namespace
	render   func(ctx context.Context, showID string) ([]byte, error)
	MaxPages int
}

// NewWarmFeedsJob returns the feed-warming job.
func NewWarmFeedsJob(ns *kvstore.Namespace, render func(ctx context.Context, showID string) ([]byte, error)) *WarmFeedsJob {
	return &WarmFeedsJob{ns: ns, render: render, MaxPages: 5}
}

func (j *WarmFeedsJob) Name() string { return "warm-feeds" }

func (j *WarmFeedsJob) Run(ctx context.Context) error {
	cursor := ""
	for page := 0; page < j.MaxPages; page++ {
		keys, next, err := j.ns.List(ctx, "recent:", cursor, 200)
		if err != nil {
			return err
		}
		for _, k := range keys {
			showID := strings.TrimPrefix(k.Name, "recent:")
			body, err := j.render(ctx, showID)
			if err != nil {
				log.Printf("warm-feeds: %s: %v", showID, err)
				continue
			}
			if err := j.ns.PutTTL(ctx, "feed:xml:"+showID, body, 15*time.Minute); err != nil {
				return err
			}
		}
		if next == "" {
			return nil
		}
		cursor = next
	}
	return nil
}

// HeartbeatJob records that the scheduler is alive, once per tick.
type HeartbeatJob struct {
	ns  *kvstore.Namespace
	now func() time.Time
}

// NewHeartbeatJob returns the heartbeat job.
func NewHeartbeatJob(ns *kvstore.Namespace, now func() time.Time) *HeartbeatJob {
	return &HeartbeatJob{ns: ns, now: now}
}

func (j *HeartbeatJob) Name() string { return "heartbeat" }

func (j *HeartbeatJob) Run(ctx context.Context) error {
	return j.ns.PutTTL(ctx, "jobs:heartbeat", []byte(j.now().Format(time.RFC3339)), 10*time.Minute)
}
