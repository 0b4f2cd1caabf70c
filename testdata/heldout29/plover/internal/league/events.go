package league

import (
	"context"
	"errors"
	"fmt"
)

// Event is something that happened in the league that other parts of the
// system may react to.
type Event interface{ EventName() string }

type ScoreReported struct {
	Season SeasonID
	Score  Score
}

type PlayerJoined struct {
	Team   TeamID
	Player PlayerID
	Via    string
}

type MatchScheduled struct{ Match Match }

type RefereeAssigned struct{ Assignment Assignment }

func (ScoreReported) EventName() string   { return "score.reported" }
func (PlayerJoined) EventName() string    { return "player.joined" }
func (MatchScheduled) EventName() string  { return "match.scheduled" }
func (RefereeAssigned) EventName() string { return "referee.assigned" }

// Subscriber reacts to an event.
type Subscriber func(ctx context.Context, e Event) error

// Bus fans events out to the subscribers registered during wiring. It is
// not safe to Subscribe after the first Publish.
type Bus struct{ subs []named }

type named struct {
	name string
	fn   Subscriber
}

// Subscribe registers fn under name.
func (b *Bus) Subscribe(name string, fn Subscriber) { b.subs = append(b.subs, named{name, fn}) }

// Len is the number of subscribers.
func (b *Bus) Len() int { return len(b.subs) }

// Publish calls every subscriber in order and joins their errors.
func (b *Bus) Publish(ctx context.Context, e Event) error {
	var errs []error
	for _, s := range b.subs {
		if err := s.fn(ctx, e); err != nil {
			errs = append(errs, fmt.Errorf("%s on %s: %w", s.name, e.EventName(), err))
		}
	}
	return errors.Join(errs...)
}
