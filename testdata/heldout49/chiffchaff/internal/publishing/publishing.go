// Package publishing moves episodes from draft to published, on demand or
// on schedule.
package publishing

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/chiffchaff/podhost/internal/catalog"
	"github.com/chiffchaff/podhost/internal/feeds"
	"github.com/chiffchaff/podhost/internal/kvstore"
	"github.com/chiffchaff/podhost/internal/podcast"
)

var (
	ErrNotScheduled = errors.New("publishing: episode is not scheduled")
	ErrInvalid      = errors.New("publishing: invalid episode")
)

// Service publishes episodes.
type Service struct {
	ns    *kvstore.Namespace
	feeds *feeds.Cache
	now   func() time.Time

	mu    sync.Mutex
	locks map[string]*sync.Mutex
}

// New returns a publishing service.
func New(ns *kvstore.Namespace, fc *feeds.Cache, now func() time.Time) *Service {
	return &Service{ns: ns, feeds: fc, now: now, locks: map[string]*sync.Mutex{}}
}

func episodeKey(id string) string { return "ep:" + id }

func scheduleKey(at time.Time, episodeID string) string {
	return fmt.Sprintf("sched:%010d:%s", at.Unix(), episodeID)
}

func (s *Service) lockEpisode(id string) func() {
	s.mu.Lock()
	m := s.locks[id]
	if m == nil {
		m = &sync.Mutex{}
		s.locks[id] = m
	}
	s.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// stage is one step of a publication pipeline.
type stage func(ctx context.Context, ep *podcast.Episode) error

func validate(_ context.Context, ep *podcast.Episode) error {
	if strings.TrimSpace(ep.Title) == "" || ep.AudioURL == "" {
		return ErrInvalid
	}
	return nil
}

func normalizeTitle(_ context.Context, ep *podcast.Episode) error {
	t := strings.Join(strings.Fields(ep.Title), " ")
	if r := []rune(t); len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
		t = string(r)
	}
	ep.Title = t
	return nil
}

func stampPublished(now func() time.Time) stage {
	return func(_ context.Context, ep *podcast.Episode) error {
		ep.Status = podcast.StatusPublished
		ep.PublishedAt = now()
		return nil
	}
}

func bumpRev(_ context.Context, ep *podcast.Episode) error {
	ep.Rev++
	return nil
}

func run(ctx context.Context, ep *podcast.Episode, stages []stage) error {
	for _, st := range stages {
		if err := st(ctx, ep); err != nil {
			return err
		}
	}
	return nil
}

type PublishRequest struct {
	EpisodeID string
	ActorID   string
}

type PublishResponse struct {
	Episode *podcast.Episode
}

// Publish makes an episode public now.
func (s *Service) Publish(ctx context.Context, req *PublishRequest) (*PublishResponse, error) {
	var ep podcast.Episode
	if err := s.ns.GetObject(ctx, episodeKey(req.EpisodeID), &ep); err != nil {
		return nil, err
	}
	stages := []stage{validate, normalizeTitle, stampPublished(s.now), bumpRev}
	if err := run(ctx, &ep, stages); err != nil {
		return nil, err
	}
	if err := s.ns.PutObject(ctx, episodeKey(ep.ID), &ep, 0); err != nil { // EXPECT kvrace
		return nil, err
	}
	line := fmt.Sprintf("%s published %s by %s", s.now().Format(time.RFC3339), ep.ID, req.ActorID)
	if err := s.ns.AppendLine(ctx, "audit:"+ep.ShowID, line); err != nil {
		return nil, err
	}
	if err := s.feeds.PushItem(ctx, ep.ShowID, feeds.Item{GUID: ep.GUID, Title: ep.Title, Published: ep.PublishedAt}); err != nil {
		return nil, err
	}
	return &PublishResponse{Episode: &ep}, s.feeds.Invalidate(ctx, ep.ShowID)
}

type DraftRequest struct {
	ShowID   string
	Title    string
	AudioURL string
}

type DraftResponse struct {
	Episode *podcast.Episode
}

// Draft stores a new draft episode.
func (s *Service) Draft(ctx context.Context, req *DraftRequest) (*DraftResponse, error) {
	ep := &podcast.Episode{
		ID:       catalog.NewID(),
		ShowID:   req.ShowID,
		Title:    req.Title,
		AudioURL: req.AudioURL,
		Status:   podcast.StatusDraft,
	}
	ep.GUID = "chiffchaff:" + ep.ID
	if err := run(ctx, ep, []stage{validate, normalizeTitle, bumpRev}); err != nil {
		return nil, err
	}
	if err := s.ns.PutObject(ctx, episodeKey(ep.ID), ep, 0); err != nil {
		return nil, err
	}
	return &DraftResponse{Episode: ep}, nil
}

type ScheduleRequest struct {
	EpisodeID string
	ShowID    string
	At        time.Time
}

type ScheduleResponse struct {
	Key string
}

// Schedule queues an episode for publication at req.At.
func (s *Service) Schedule(ctx context.Context, req *ScheduleRequest) (*ScheduleResponse, error) {
	if !req.At.After(s.now()) {
		return nil, ErrInvalid
	}
	entry := podcast.ScheduleEntry{EpisodeID: req.EpisodeID, ShowID: req.ShowID, At: req.At}
	text, _ := entry.MarshalText()
	key := scheduleKey(req.At, req.EpisodeID)
	meta := kvstore.Meta{"show": req.ShowID}
	if err := s.ns.PutWithMeta(ctx, key, text, meta, req.At.Add(24*time.Hour).Sub(s.now())); err != nil { // DEBATABLE kvttl
		return nil, err
	}
	if err := s.ns.PutTTL(ctx, "embargo:"+req.EpisodeID, []byte(req.ShowID), time.Until(req.At)); err != nil { // EXPECT kvttl
		return nil, err
	}
	hold := req.At.Sub(s.now())
	if hold < time.Minute {
		hold = time.Minute
	}
	if err := s.ns.PutTTL(ctx, "sched:ep:"+req.EpisodeID, []byte(key), hold); err != nil {
		return nil, err
	}
	return &ScheduleResponse{Key: key}, nil
}

type RescheduleRequest struct {
	EpisodeID string
	At        time.Time
}

// Reschedule moves a scheduled episode to a new time.
func (s *Service) Reschedule(ctx context.Context, req *RescheduleRequest) error {
	unlock := s.lockEpisode(req.EpisodeID)
	defer unlock()

	var ep podcast.Episode
	if err := s.ns.GetObject(ctx, episodeKey(req.EpisodeID), &ep); err != nil {
		return err
	}
	if ep.Status != podcast.StatusScheduled {
		return ErrNotScheduled
	}
	ep.PublishAt = req.At
	ep.Rev++
	if err := s.ns.PutObject(ctx, episodeKey(ep.ID), &ep, 0); err != nil { // EXPECT kvrace
		return err
	}
	entry := podcast.ScheduleEntry{EpisodeID: ep.ID, ShowID: ep.ShowID, At: req.At}
	text, _ := entry.MarshalText()
	return s.ns.PutUntil(ctx, scheduleKey(req.At, ep.ID), text, req.At.Add(24*time.Hour))
}
