// Package podcast holds the domain types shared by the hosting and stats
// services and their stored encodings.
package podcast

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Status is an episode's publication state.
type Status string

const (
	StatusDraft     Status = "draft"
	StatusScheduled Status = "scheduled"
	StatusPublished Status = "published"
	StatusArchived  Status = "archived"
)

// Show is a podcast.
type Show struct {
	ID          string    `json:"id"`
	OwnerID     string    `json:"owner_id"`
	Slug        string    `json:"slug"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	ArtworkURL  string    `json:"artwork_url,omitempty"`
	Language    string    `json:"language"`
	Explicit    bool      `json:"explicit"`
	Rev         int       `json:"rev"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// MarshalBinary encodes the show for storage.
func (s *Show) MarshalBinary() ([]byte, error) { return json.Marshal(s) }

// UnmarshalBinary decodes a stored show.
func (s *Show) UnmarshalBinary(b []byte) error { return json.Unmarshal(b, s) }

// Episode is one audio item of a show.
type Episode struct {
	ID          string    `json:"id"`
	ShowID      string    `json:"show_id"`
	Title       string    `json:"title"`
	Notes       string    `json:"notes"`
	AudioURL    string    `json:"audio_url"`
	DurationSec int       `json:"duration_sec"`
	Status      Status    `json:"status"`
	PublishAt   time.Time `json:"publish_at"`
	PublishedAt time.Time `json:"published_at,omitempty"`
	GUID        string    `json:"guid"`
	Rev         int       `json:"rev"`
}

// MarshalBinary encodes the episode for storage.
func (e *Episode) MarshalBinary() ([]byte, error) { return json.Marshal(e) }

// UnmarshalBinary decodes a stored episode.
func (e *Episode) UnmarshalBinary(b []byte) error { return json.Unmarshal(b, e) }

// EpisodeIndex lists a show's episode IDs, newest first.
type EpisodeIndex struct {
	ShowID   string   `json:"show_id"`
	Episodes []string `json:"episodes"`
	Rev      int      `json:"rev"`
}

// MarshalBinary encodes the index for storage.
func (x *EpisodeIndex) MarshalBinary() ([]byte, error) { return json.Marshal(x) }

// UnmarshalBinary decodes a stored index.
func (x *EpisodeIndex) UnmarshalBinary(b []byte) error { return json.Unmarshal(b, x) }

// Counter is a running total with the time of its last change. It is
// stored as "<n>@<unix>".
type Counter struct {
	N       int64
	Updated time.Time
}

// Add increments the counter by d at t.
func (c *Counter) Add(d int64, t time.Time) {
	c.N += d
	c.Updated = t
}

// MarshalText encodes the counter.
func (c Counter) MarshalText() ([]byte, error) {
	return []byte(strconv.FormatInt(c.N, 10) + "@" + strconv.FormatInt(c.Updated.Unix(), 10)), nil
}

// UnmarshalText decodes a counter written by MarshalText.
func (c *Counter) UnmarshalText(b []byte) error {
	n, ts, ok := strings.Cut(string(b), "@")
	if !ok {
		return errors.New("podcast: malformed counter")
	}
	v, err := strconv.ParseInt(n, 10, 64)
	if err != nil {
		return fmt.Errorf("podcast: counter value: %w", err)
	}
	u, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return fmt.Errorf("podcast: counter time: %w", err)
	}
	c.N, c.Updated = v, time.Unix(u, 0).UTC()
	return nil
}

// ScheduleEntry is a pending publication, stored as "<episode>|<show>|<unix>".
type ScheduleEntry struct {
	EpisodeID string
	ShowID    string
	At        time.Time
}

// MarshalText encodes the entry.
func (s ScheduleEntry) MarshalText() ([]byte, error) {
	return []byte(s.EpisodeID + "|" + s.ShowID + "|" + strconv.FormatInt(s.At.Unix(), 10)), nil
}

// UnmarshalText decodes an entry written by MarshalText.
func (s *ScheduleEntry) UnmarshalText(b []byte) error {
	parts := strings.Split(string(b), "|")
	if len(parts) != 3 {
		return errors.New("podcast: malformed schedule entry")
	}
	u, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return fmt.Errorf("podcast: schedule time: %w", err)
	}
	s.EpisodeID, s.ShowID, s.At = parts[0], parts[1], time.Unix(u, 0).UTC()
	return nil
}

// Snapshot is an analytics rollup for one day.
type Snapshot struct {
	Day       string           `json:"day"`
	Plays     map[string]int64 `json:"plays"`
	Downloads map[string]int64 `json:"downloads"`
	Listeners int64            `json:"listeners"`
	BuiltAt   time.Time        `json:"built_at"`
}

// MarshalBinary encodes the snapshot.
func (s *Snapshot) MarshalBinary() ([]byte, error) { return json.Marshal(s) }

// UnmarshalBinary decodes a stored snapshot.
func (s *Snapshot) UnmarshalBinary(b []byte) error { return json.Unmarshal(b, s) }
