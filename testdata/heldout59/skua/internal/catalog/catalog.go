// Package catalog reads shows and episodes from the catalog service, which
// owns them in Postgres. KV only ever holds projections of this data.
package catalog

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/skua-fm/skua/internal/config"
)

type Show struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Author      string `json:"author"`
	Language    string `json:"language"`
}

type Episode struct {
	ID          string    `json:"id"`
	ShowID      string    `json:"show_id"`
	GUID        string    `json:"guid"`
	Title       string    `json:"title"`
	Summary     string    `json:"summary"`
	AudioURL    string    `json:"audio_url"`
	AudioBytes  int64     `json:"audio_bytes"`
	DurationSec int       `json:"duration_sec"`
	PublishAt   time.Time `json:"publish_at"`
	Draft       bool      `json:"draft"`
}

// Source is the catalog service's JSON API.
type Source struct {
	base string
	hc   *http.Client
}

func NewSource(cfg config.Config) *Source {
	return &Source{base: cfg.CatalogURL, hc: &http.Client{Timeout: 10 * time.Second}}
}

func (s *Source) Show(ctx context.Context, id string) (Show, error) {
	var sh Show
	err := s.get(ctx, "/v1/shows/"+url.PathEscape(id), &sh)
	return sh, err
}

func (s *Source) Episodes(ctx context.Context, showID string, drafts bool) ([]Episode, error) {
	var eps []Episode
	err := s.get(ctx, fmt.Sprintf("/v1/shows/%s/episodes?drafts=%t", url.PathEscape(showID), drafts), &eps)
	return eps, err
}

func (s *Source) ShowsByCreator(ctx context.Context, creatorID string) ([]Show, error) {
	var shows []Show
	err := s.get(ctx, "/v1/creators/"+url.PathEscape(creatorID)+"/shows", &shows)
	return shows, err
}

func (s *Source) get(ctx context.Context, path string, dst any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.base+path, nil)
	if err != nil {
		return err
	}
	resp, err := s.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("catalog %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(dst)
}
