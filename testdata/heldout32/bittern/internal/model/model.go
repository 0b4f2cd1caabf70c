// Package model holds the records shared by the Worker and the admin backend.
package model

import "time"

// Show is a podcast. Private shows are only reachable through feed tokens.
type Show struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	OwnerID  string `json:"owner_id"`
	Private  bool   `json:"private"`
	Language string `json:"language,omitempty"`
}

// Episode is one published (or scheduled) audio file of a show.
type Episode struct {
	ID        string        `json:"id"`
	ShowID    string        `json:"show_id"`
	Slug      string        `json:"slug"`
	Title     string        `json:"title"`
	AudioURL  string        `json:"audio_url"`
	Bytes     int64         `json:"bytes"`
	Duration  time.Duration `json:"duration"`
	PublishAt time.Time     `json:"publish_at"`
}

// Subscriber is a paying listener of a private show.
type Subscriber struct {
	ID     string `json:"id"`
	ShowID string `json:"show_id"`
	Tier   string `json:"tier"`
}

// Plan describes what a subscription tier allows.
type Plan struct {
	Tier             string `json:"tier"`
	MonthlyDownloads int    `json:"monthly_downloads"`
}

// Creator is someone who publishes shows and logs in to the dashboard.
type Creator struct {
	ID    string `json:"id"`
	Email string `json:"email"`
	Name  string `json:"name"`
}

// Session is a creator's dashboard login.
type Session struct {
	ID        string    `json:"id"`
	CreatorID string    `json:"creator_id"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen"`
}
