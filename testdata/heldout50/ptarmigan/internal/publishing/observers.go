package publishing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"ptarmigan/internal/kvstore"
)

// Subscriber is told about every event the publisher sees.
type Subscriber interface {
	Notify(ctx context.Context, ev Event) error
}

// Publisher fans events out to its subscribers in order.
type Publisher struct {
	subs []Subscriber
}

// Subscribe adds subscribers.
func (p *Publisher) Subscribe(s ...Subscriber) { p.subs = append(p.subs, s...) }

// Publish notifies every subscriber and joins their errors.
func (p *Publisher) Publish(ctx context.Context, ev Event) error {
	var errs []error
	for _, s := range p.subs {
		if err := s.Notify(ctx, ev); err != nil {
			errs = append(errs, fmt.Errorf("%T: %w", s, err))
		}
	}
	return errors.Join(errs...)
}

// DispatchSubscriber feeds events to a Dispatcher.
type DispatchSubscriber struct{ D *Dispatcher }

// Notify dispatches ev.
func (s DispatchSubscriber) Notify(ctx context.Context, ev Event) error { return s.D.Dispatch(ctx, ev) }

// LatestEpisode keeps show:<id>:latest pointing at the newest episode.
type LatestEpisode struct{ Root kvstore.Scope }

// Notify updates the pointer when an episode is published.
func (l LatestEpisode) Notify(ctx context.Context, ev Event) error {
	e, ok := ev.(EpisodePublished)
	if !ok {
		return nil
	}
	b, err := json.Marshal(e.Episode)
	if err != nil {
		return err
	}
	return l.Root.Scope("show", e.ShowID).Put(ctx, "latest", b, 0)
}

// SearchIndex keeps, for each title word, the ids of episodes using it.
type SearchIndex struct{ Root kvstore.Scope }

// Notify adds a published episode to the posting list of each title word.
func (s SearchIndex) Notify(ctx context.Context, ev Event) error {
	e, ok := ev.(EpisodePublished)
	if !ok {
		return nil
	}
	idx := s.Root.Scope("search", "term")
	for _, term := range terms(e.Episode.Title) {
		var ids []string
		raw, err := idx.Get(ctx, term)
		switch {
		case err == nil:
			if err := json.Unmarshal(raw, &ids); err != nil {
				return fmt.Errorf("search: posting list %q: %w", term, err)
			}
		case !errors.Is(err, kvstore.ErrNotFound):
			return err
		}
		if slices.Contains(ids, e.Episode.ID) {
			continue
		}
		ids = append(ids, e.Episode.ID)
		b, _ := json.Marshal(ids)
		if err := idx.Put(ctx, term, b, 0); err != nil { // EXPECT kvrace
			return err
		}
	}
	return nil
}

func terms(title string) []string {
	words := strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
	slices.Sort(words)
	words = slices.Compact(words)
	return slices.DeleteFunc(words, func(w string) bool { return len(w) < 3 })
}
