// Package events defines the game events that the Worker journals and the
// analytics backend consumes from the ANALYTICS queue.
package events

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"time"
)

// Type names an event.
type Type string

const (
	PlayerJoined    Type = "player.joined"
	PlayerLeft      Type = "player.left"
	AnswerSubmitted Type = "answer.submitted"
	AnswerScored    Type = "answer.scored"
	RoundClosed     Type = "round.closed"
	GameFinished    Type = "game.finished"
)

// Event is one entry of a lobby's journal.
type Event struct {
	ID     string          `json:"id"`
	Type   Type            `json:"type"`
	Lobby  string          `json:"lobby"`
	Host   string          `json:"host,omitempty"`
	Player string          `json:"player,omitempty"`
	Round  int             `json:"round,omitempty"`
	At     time.Time       `json:"at"`
	Data   json.RawMessage `json:"data,omitempty"`
}

// Joined is the payload of PlayerJoined.
type Joined struct {
	Nickname string `json:"nickname"`
}

// Submitted is the payload of AnswerSubmitted.
type Submitted struct {
	Choice    int `json:"choice"`
	ElapsedMs int `json:"elapsed_ms"`
}

// Scored is the payload of AnswerScored.
type Scored struct {
	Nickname string `json:"nickname"`
	Points   int    `json:"points"`
	Correct  bool   `json:"correct"`
}

// Closed is the payload of RoundClosed.
type Closed struct {
	Question string `json:"question"`
	Answer   int    `json:"answer"`
}

// Finished is the payload of GameFinished.
type Finished struct {
	Quiz      string     `json:"quiz"`
	Rounds    int        `json:"rounds"`
	Standings []Standing `json:"standings"`
}

// Standing is one row of a final scoreboard.
type Standing struct {
	Player   string `json:"player"`
	Nickname string `json:"nickname"`
	Points   int    `json:"points"`
}

// New builds an event with its payload encoded.
func New(t Type, lobby string, at time.Time, data any) (Event, error) {
	ev := Event{Type: t, Lobby: lobby, At: at.UTC()}
	if data != nil {
		b, err := json.Marshal(data)
		if err != nil {
			return Event{}, fmt.Errorf("events: encode %s: %w", t, err)
		}
		ev.Data = b
	}
	return ev, nil
}

// Decode unmarshals the event's payload into dst.
func (e Event) Decode(dst any) error {
	if len(e.Data) == 0 {
		return fmt.Errorf("events: %s %s has no payload", e.Type, e.ID)
	}
	return json.Unmarshal(e.Data, dst)
}

// NewID returns an ID that sorts by time: the millisecond timestamp, then a
// random suffix that keeps IDs from one millisecond apart.
func NewID(at time.Time) string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%013d-%x", at.UnixMilli(), b)
}

// IDTime returns the time encoded in an ID made by NewID.
func IDTime(id string) (time.Time, bool) {
	var ms int64
	if _, err := fmt.Sscanf(id, "%013d-", &ms); err != nil {
		return time.Time{}, false
	}
	return time.UnixMilli(ms).UTC(), true
}
