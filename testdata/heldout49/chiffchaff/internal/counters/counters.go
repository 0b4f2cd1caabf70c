// Package counters records downloads, plays and upload usage.
package counters

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/chiffchaff/podhost/internal/clock"
	"github.com/chiffchaff/podhost/internal/kvstore"
	"github.com/chiffchaff/podhost/internal/podcast"
)

// ErrQuotaExceeded is returned when an upload would pass the plan's limit.
var ErrQuotaExceeded = errors.New("counters: storage quota exceeded")

// Service records listening activity.
type Service struct {
	ns  *kvstore.Namespace
	clk clock.Clock

	mu    sync.Mutex
	locks map[string]*sync.Mutex

	uploads chan struct{}

	tallyMu sync.Mutex
	tally   map[string]int64
}

// New returns a counter service.
func New(ns *kvstore.Namespace, clk clock.Clock) *Service {
	return &Service{
		ns:      ns,
		clk:     clk,
		locks:   map[string]*sync.Mutex{},
		uploads: make(chan struct{}, 1),
		tally:   map[string]int64{},
	}
}

func (s *Service) lock(key string) func() {
	s.mu.Lock()
	m, ok := s.locks[key]
	if !ok {
		m = &sync.Mutex{}
		s.locks[key] = m
	}
	s.mu.Unlock()
	m.Lock()
	return m.Unlock
}

type RecordDownloadRequest struct {
	ShowID    string
	EpisodeID string
	ClientIP  string
	UserAgent string
}

type RecordDownloadResponse struct {
	Total int
}

// RecordDownload counts one download of an episode.
func (s *Service) RecordDownload(ctx context.Context, req *RecordDownloadRequest) (*RecordDownloadResponse, error) {
	key := fmt.Sprintf("dl:%s:%s", req.ShowID, req.EpisodeID)
	n := 0
	raw, err := s.ns.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return nil, err
	default:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return nil, fmt.Errorf("counters: %s: %w", key, err)
		}
	}
	n++
	if err := s.ns.Put(ctx, key, []byte(strconv.Itoa(n))); err != nil { // EXPECT kvcounter|kvrace
		return nil, err
	}
	return &RecordDownloadResponse{Total: n}, nil
}

type RecordPlayRequest struct {
	EpisodeID string
	Seconds   int
}

type RecordPlayResponse struct {
	Plays int64
}

// RecordPlay counts a play that passed the one-minute mark. Plays of the
// same episode are serialized so bursts from one app do not lose counts.
func (s *Service) RecordPlay(ctx context.Context, req *RecordPlayRequest) (*RecordPlayResponse, error) {
	if req.Seconds < 60 {
		return &RecordPlayResponse{}, nil
	}
	key := "plays:" + req.EpisodeID
	unlock := s.lock(key)
	defer unlock()

	var c podcast.Counter
	raw, err := s.ns.Get(ctx, key)
	if err == nil {
		if err := c.UnmarshalText(raw); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	c.Add(1, s.clk.Now())
	text, _ := c.MarshalText()
	if err := s.ns.Put(ctx, key, text); err != nil { // EXPECT kvcounter|kvrace
		return nil, err
	}
	return &RecordPlayResponse{Plays: c.N}, nil
}

type ReserveUploadRequest struct {
	CreatorID string
	Bytes     int64
	PlanLimit int64
}

type ReserveUploadResponse struct {
	UsedBytes int64
}

// ReserveUpload adds an upload to the creator's monthly storage use.
func (s *Service) ReserveUpload(ctx context.Context, req *ReserveUploadRequest) (*ReserveUploadResponse, error) {
	select {
	case s.uploads <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-s.uploads }()

	month := s.clk.Now().Format("2006-01")
	key := "quota:storage:" + req.CreatorID + ":" + month
	var used int64
	if raw, err := s.ns.Get(ctx, key); err == nil {
		used, _ = strconv.ParseInt(string(raw), 10, 64)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	if used+req.Bytes > req.PlanLimit {
		return nil, ErrQuotaExceeded
	}
	used += req.Bytes
	if err := s.ns.PutTTL(ctx, key, []byte(strconv.FormatInt(used, 10)), 40*24*time.Hour); err != nil { // EXPECT kvcounter|kvrace
		return nil, err
	}
	return &ReserveUploadResponse{UsedBytes: used}, nil
}

// NoteView counts an episode page view in memory; FlushViews persists them.
func (s *Service) NoteView(episodeID string) {
	s.tallyMu.Lock()
	s.tally[episodeID]++
	s.tallyMu.Unlock()
}

// FlushViews writes the in-memory view tallies.
func (s *Service) FlushViews(ctx context.Context) error {
	s.tallyMu.Lock()
	snapshot := make(map[string]int64, len(s.tally))
	for k, v := range s.tally {
		snapshot[k] = v
	}
	s.tallyMu.Unlock()
	for ep, n := range snapshot {
		if err := s.ns.Put(ctx, "views:"+ep, []byte(strconv.FormatInt(n, 10))); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// Stats is what the creator dashboard shows for an episode.
type Stats struct {
	Downloads int
	Plays     int64
	LastPlay  time.Time
}

// EpisodeStats reads the stored counters of an episode.
func (s *Service) EpisodeStats(ctx context.Context, showID, episodeID string) (*Stats, error) {
	st := &Stats{}
	raw, err := s.ns.Get(ctx, fmt.Sprintf("dl:%s:%s", showID, episodeID))
	switch {
	case err == nil:
		st.Downloads, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, err
	}
	raw, err = s.ns.Get(ctx, "plays:"+episodeID)
	switch {
	case err == nil:
		var c podcast.Counter
		if err := c.UnmarshalText(raw); err != nil {
			return nil, err
		}
		st.Plays, st.LastPlay = c.N, c.Updated
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, err
	}
	return st, nil
}

// DownloadKeys returns one page of a show's download counter keys for the
// CSV export, and the cursor of the next page.
func (s *Service) DownloadKeys(ctx context.Context, showID, cursor string) ([]string, string, error) {
	keys, next, err := s.ns.List(ctx, "dl:"+showID+":", cursor, 10000) // EXPECT kvlimits
	if err != nil {
		return nil, "", err
	}
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = k.Name
	}
	return names, next, nil
}

// TotalsSource reads authoritative totals from the analytics database.
type TotalsSource func(ctx context.Context, showID string) (map[string]int64, error)

// PublishTotals copies the database totals of a show into KV for the
// public player badge. It runs once per cron tick.
func (s *Service) PublishTotals(ctx context.Context, showID string, src TotalsSource) error {
	totals, err := src(ctx, showID)
	if err != nil {
		return err
	}
	pairs := make([]string, 0, len(totals))
	for ep, n := range totals {
		pairs = append(pairs, ep+"="+strconv.FormatInt(n, 10))
	}
	body := []byte(fmt.Sprint(pairs))
	return s.ns.PutTTL(ctx, "badge:"+showID, body, 2*time.Hour)
}
