// Package progress tracks players' runs at the daily challenges.
package progress

import (
	"context"
	"fmt"
	"time"

	"example.com/arcade/internal/keys"
	"example.com/arcade/internal/store"
)

// Run is one player's standing on one challenge for one day.
type Run struct {
	Attempts int       `json:"attempts"`
	Best     int       `json:"best"`
	LastAt   time.Time `json:"lastAt"`
}

type Completion struct {
	Player   string    `json:"player"`
	Score    int       `json:"score"`
	Finished time.Time `json:"finished"`
}

type Tracker struct {
	s         store.Store
	retention time.Duration
	now       func() time.Time
}

func NewTracker(s store.Store, retention time.Duration) *Tracker {
	return &Tracker{s: s, retention: retention, now: time.Now}
}

// Event is what the game client reports for a challenge.
type Event interface {
	challenge() (day, id, player string)
}

type Attempted struct {
	Day, Challenge, Player string
	Score                  int
}

type Completed struct {
	Day, Challenge, Player string
	Score                  int
}

func (a Attempted) challenge() (string, string, string) { return a.Day, a.Challenge, a.Player }
func (c Completed) challenge() (string, string, string) { return c.Day, c.Challenge, c.Player }

func (t *Tracker) Apply(ctx context.Context, ev Event) error {
	day, id, player := ev.challenge()
	switch e := ev.(type) {
	case Attempted:
		_, err := t.attempt(ctx, day, id, player, e.Score)
		return err
	case Completed:
		k := keys.New(keys.Challenge).Add(day, id, "done", player).String()
		c := Completion{Player: player, Score: e.Score, Finished: t.now().UTC()}
		return store.PutJSON(ctx, t.s, k, c, store.WithTTL(t.retention))
	default:
		return fmt.Errorf("progress: unexpected event %T", ev)
	}
}

func (t *Tracker) attempt(ctx context.Context, day, id, player string, score int) (Run, error) {
	key := keys.New("challenge-attempts").Add(day, id, player).String()
	run, _, err := store.GetJSON[Run](ctx, t.s, key)
	if err != nil {
		return Run{}, err
	}
	run.Attempts++
	run.Best = max(run.Best, score)
	run.LastAt = t.now().UTC()
	return run, store.PutJSON(ctx, t.s, key, run, store.WithTTL(48*time.Hour)) // EXPECT kvcounter|kvrace
}

// Standing returns the player's run, or a zero Run if they have not played.
func (t *Tracker) Standing(ctx context.Context, day, id, player string) (Run, error) {
	run, _, err := store.GetJSON[Run](ctx, t.s, keys.New("challenge-attempts").Add(day, id, player).String())
	return run, err
}
