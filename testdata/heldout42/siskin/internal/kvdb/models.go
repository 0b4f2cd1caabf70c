package kvdb

import "time"

// Show is a podcast.
type Show struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	CreatorID string    `json:"creator_id"`
	FeedURL   string    `json:"feed_url"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Episode is one item of a show. Version increases on every edit.
type Episode struct {
	ShowID      string    `json:"show_id"`
	ID          string    `json:"id"`
	Title       string    `json:"title"`
	AudioURL    string    `json:"audio_url"`
	DurationSec int       `json:"duration_sec"`
	PublishedAt time.Time `json:"published_at"`
	Draft       bool      `json:"draft"`
	Version     int       `json:"version"`
}

// ShowSettings holds creator-editable switches for a show.
type ShowSettings struct {
	Explicit      bool   `json:"explicit"`
	PrivateFeeds  bool   `json:"private_feeds"`
	Language      string `json:"language"`
	RetentionDays int    `json:"retention_days"`
}

// ShowView is the dashboard's view of a show with its settings.
type ShowView struct {
	Show
	Settings    ShowSettings `json:"settings"`
	HasSettings bool         `json:"has_settings"`
}

// ImportLog is the running log of an import job, shown in the dashboard.
type ImportLog struct {
	JobID string   `json:"job_id"`
	Lines []string `json:"lines"`
}
