// Package domain holds the podcast platform's stored types.
package domain

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrNotFound is returned by stores for absent records.
var ErrNotFound = errors.New("not found")

type Show struct {
	ID        string   `json:"id"`
	CreatorID string   `json:"creator_id"`
	Slug      string   `json:"slug"`
	Title     string   `json:"title"`
	Private   bool     `json:"private"`
	Tags      []string `json:"tags,omitempty"`
}

func (Show) Prefix() string  { return "show" }
func (s Show) KeyID() string { return s.ID }

// Episode is one published (or scheduled) episode, stored with unix times
// and whole seconds so the documents stay language-neutral.
type Episode struct {
	ID, ShowID, Title, AudioURL string
	Length                      time.Duration
	PublishedAt                 time.Time
	Explicit                    bool
}

func (Episode) Prefix() string  { return "episode" }
func (e Episode) KeyID() string { return e.ShowID + "/" + e.ID }

type episodeWire struct {
	ID        string `json:"id"`
	ShowID    string `json:"show_id"`
	Title     string `json:"title"`
	AudioURL  string `json:"audio_url"`
	LengthSec int64  `json:"length_sec"`
	Published int64  `json:"published"`
	Explicit  bool   `json:"explicit,omitempty"`
}

func (e Episode) MarshalJSON() ([]byte, error) {
	w := episodeWire{ID: e.ID, ShowID: e.ShowID, Title: e.Title, AudioURL: e.AudioURL,
		LengthSec: int64(e.Length / time.Second), Explicit: e.Explicit}
	if !e.PublishedAt.IsZero() {
		w.Published = e.PublishedAt.Unix()
	}
	return json.Marshal(w)
}

func (e *Episode) UnmarshalJSON(b []byte) error {
	var w episodeWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	if w.ID == "" || w.ShowID == "" {
		return fmt.Errorf("episode: missing id or show_id")
	}
	*e = Episode{ID: w.ID, ShowID: w.ShowID, Title: w.Title, AudioURL: w.AudioURL,
		Length: time.Duration(w.LengthSec) * time.Second, Explicit: w.Explicit}
	if w.Published > 0 {
		e.PublishedAt = time.Unix(w.Published, 0).UTC()
	}
	return nil
}

// Session is a logged-in creator's browser session.
type Session struct {
	ID        string    `json:"id"`
	CreatorID string    `json:"creator_id"`
	CSRF      string    `json:"csrf"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (s Session) Expired(now time.Time) bool { return !now.Before(s.ExpiresAt) }

// FeedToken grants one listener access to a private feed.
type FeedToken struct {
	Token    string    `json:"token"`
	ShowID   string    `json:"show_id"`
	Listener string    `json:"listener"`
	Issued   time.Time `json:"issued"`
}

func (FeedToken) Prefix() string  { return "feedtoken" }
func (t FeedToken) KeyID() string { return t.Token }

// SlotPosition is where in the episode an ad plays.
type SlotPosition int

const (
	PreRoll SlotPosition = iota
	MidRoll
	PostRoll
)

var slotNames = [...]string{"pre", "mid", "post"}

func (p SlotPosition) String() string {
	if int(p) < len(slotNames) {
		return slotNames[p]
	}
	return fmt.Sprintf("slot(%d)", int(p))
}

func (p SlotPosition) MarshalJSON() ([]byte, error) { return json.Marshal(p.String()) }

func (p *SlotPosition) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return err
	}
	for i, n := range slotNames {
		if strings.EqualFold(n, s) {
			*p = SlotPosition(i)
			return nil
		}
	}
	return fmt.Errorf("unknown slot position %q", s)
}

// SponsorSlot is an ad slot on a show that a sponsor can book.
type SponsorSlot struct {
	ShowID   string       `json:"show_id"`
	Week     string       `json:"week"` // ISO week, 2025-W14
	Position SlotPosition `json:"position"`
	Sponsor  string       `json:"sponsor,omitempty"`
	CPM      int          `json:"cpm_cents"`
}

func (SponsorSlot) Prefix() string  { return "slot" }
func (s SponsorSlot) KeyID() string { return s.ShowID + ":" + s.Week + ":" + s.Position.String() }

func (s SponsorSlot) Booked() bool { return s.Sponsor != "" }

// DownloadEvent is one download as recorded at the edge.
type DownloadEvent struct {
	Show    string `json:"show"`
	Episode string `json:"episode"`
	Country string `json:"country"`
	At      int64  `json:"at"`
}

// DailyRollup is a per-episode download total for one UTC day.
type DailyRollup struct {
	EpisodeID string         `json:"episode_id"`
	Day       string         `json:"day"`
	Total     int64          `json:"total"`
	ByCountry map[string]int `json:"by_country,omitempty"`
}
