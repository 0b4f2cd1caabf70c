// Package shows publishes shows and episodes and keeps their read-shaped
// projections in KV for the feed and player edges.
package shows

import (
	"encoding/json"
	"time"

	"example.com/ibex/internal/codec"
	"example.com/ibex/internal/lifetime"
)

// Show is the projection served to players.
type Show struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	OwnerID   string    `json:"owner_id"`
	Network   string    `json:"network,omitempty"`
	Explicit  bool      `json:"explicit"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Episode is the projection of a published episode.
type Episode struct {
	ID          string           `json:"id"`
	ShowID      string           `json:"show_id"`
	Title       string           `json:"title"`
	AudioURL    string           `json:"audio_url"`
	Duration    lifetime.Seconds `json:"duration"`
	PublishedAt time.Time        `json:"published_at"`
}

// EpisodeIndex lists a show's episode IDs, newest first.
type EpisodeIndex struct {
	ShowID     string   `json:"show_id"`
	EpisodeIDs []string `json:"episode_ids"`
}

// Preview is a private, short-lived link to an unpublished episode.
type Preview struct {
	EpisodeID string    `json:"episode_id"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// Settings are per-show player settings edited by the creator.
type Settings struct {
	Accent      string   `json:"accent"`
	Chapters    bool     `json:"chapters"`
	Transcripts bool     `json:"transcripts"`
	Languages   []string `json:"languages"`
}

// settingsSchema versions: v1 had a single "language" string; v2 has a
// list.
var settingsSchema = codec.Schema{
	Kind:    "show-settings",
	Current: 2,
	Migrations: []codec.Migration{
		{From: 1, Up: func(old json.RawMessage) (json.RawMessage, error) {
			var v1 struct {
				Accent   string `json:"accent"`
				Chapters bool   `json:"chapters"`
				Language string `json:"language"`
			}
			if err := json.Unmarshal(old, &v1); err != nil {
				return nil, err
			}
			v2 := map[string]any{"accent": v1.Accent, "chapters": v1.Chapters, "languages": []string{v1.Language}}
			return json.Marshal(v2)
		}},
	},
}
