//go:build js && wasm

// Package episodes serves episode metadata from the edge cache, falling back
// to the origin API, and takes publish webhooks from the origin.
package episodes

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"tanager/internal/config"
	"tanager/internal/keys"
	"tanager/internal/kv"
)

type Episode struct {
	ID          string    `json:"id"`
	ShowID      string    `json:"show_id"`
	Title       string    `json:"title"`
	AudioURL    string    `json:"audio_url"`
	AudioBytes  int64     `json:"audio_bytes"`
	Duration    int       `json:"duration_s"`
	PublishedAt time.Time `json:"published_at"`
	PublicAt    time.Time `json:"public_at"`
	NextRefresh time.Time `json:"next_refresh,omitempty"`
	Premium     bool      `json:"premium"`
	Views       int       `json:"views"`
}

// Service is rebuilt for each request; it is cheap to copy.
type Service struct {
	Cache  *kv.Store
	Shows  *kv.Store
	Stats  *kv.Store
	Cfg    config.Config
	Client *http.Client
}

// Load returns an episode, from CACHE when possible.
func (s Service) Load(showID, episodeID string, rev int) (Episode, error) {
	key := keys.EpisodeJSON(showID, episodeID, rev)
	var ep Episode
	ok, err := s.Cache.GetJSON(key, &ep)
	if err != nil {
		return ep, err
	}
	if ok {
		return ep, nil
	}
	ep, err = s.fetchOrigin(showID, episodeID)
	if err != nil {
		return ep, err
	}
	return ep, s.store(key, ep)
}

// store caches an episode. Scheduled episodes are cached only until the
// origin says they change; everything else for the configured lifetime.
func (s Service) store(key string, ep Episode) error {
	b, err := json.Marshal(ep)
	if err != nil {
		return err
	}
	if !ep.NextRefresh.IsZero() {
		return s.Cache.Put(key, string(b), time.Until(ep.NextRefresh)) // EXPECT kvttl
	}
	return s.Cache.PutCache(key, string(b), s.Cfg.EpisodeTTL)
}

func (s Service) fetchOrigin(showID, episodeID string) (Episode, error) {
	var ep Episode
	res, err := s.Client.Get(s.Cfg.Origin("/v1/shows/%s/episodes/%s", showID, episodeID))
	if err != nil {
		return ep, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return ep, fmt.Errorf("origin: episode %s/%s: %s", showID, episodeID, res.Status)
	}
	return ep, json.NewDecoder(res.Body).Decode(&ep)
}

// Index returns the ordered episode IDs of a show.
func (s Service) Index(showID string) ([]string, error) {
	var ids []string
	if _, err := s.Shows.GetJSON(keys.EpisodeIndex(showID), &ids); err != nil {
		return nil, err
	}
	return ids, nil
}

// countView records a play for the episode page.
func (s Service) countView(ep Episode) error {
	return s.Stats.Put(keys.Views(ep.ID), strconv.Itoa(ep.Views+1), 0) // EXPECT kvcounter
}

// notePlayed feeds the "recently played" shelf of the home page.
func (s Service) notePlayed(ep Episode) error {
	return s.Cache.Put(keys.RecentlyPlayed, ep.ShowID+"/"+ep.ID, time.Hour) // EXPECT kvhotkey
}

// Publish stores a new episode record and adds it to the show's index.
func (s Service) Publish(ep Episode) error {
	if err := s.Shows.PutJSON(keys.Episode(ep.ShowID, ep.ID), ep, 0); err != nil {
		return err
	}
	ids, err := s.Index(ep.ShowID)
	if err != nil {
		return err
	}
	if slices.Contains(ids, ep.ID) {
		return nil
	}
	ids = append([]string{ep.ID}, ids...)
	if err := s.Shows.PutJSON(keys.EpisodeIndex(ep.ShowID), ids, 0); err != nil { // EXPECT kvrace
		return err
	}
	return s.invalidateFeeds(ep.ShowID)
}

// invalidateFeeds drops the first rendered pages of the public feed; older
// pages do not change when an episode is added.
func (s Service) invalidateFeeds(showID string) error {
	for page := range 3 {
		if err := s.Cache.Delete(keys.Feed(showID, "public", page)); err != nil {
			return err
		}
	}
	return s.Cache.Put(keys.FeedsUpdatedAt, time.Now().UTC().Format(time.RFC3339), 0) // DEBATABLE kvhotkey
}
