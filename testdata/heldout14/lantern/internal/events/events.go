// Package events holds the event entity and its use cases.
//
// Use cases are small structs with their dependencies as fields and an
// Execute method; Service dispatches commands and queries to them.
package events

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/lantern/internal/keys"
	"example.com/lantern/internal/repo"
	"example.com/lantern/internal/store"
)

var (
	ErrNotFound = errors.New("events: not found")
	ErrConflict = errors.New("events: version conflict")
	ErrInvalid  = errors.New("events: invalid")
)

// Event is one meetup, workshop or conference.
type Event struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenant_id"`
	Slug      string    `json:"slug"`
	Title     string    `json:"title"`
	Venue     string    `json:"venue"`
	StartsAt  time.Time `json:"starts_at"`
	EndsAt    time.Time `json:"ends_at"`
	Capacity  int       `json:"capacity"`
	Published bool      `json:"published"`
	Version   int       `json:"version"`
	UpdatedAt time.Time `json:"updated_at"`
}

// StoreKey implements repo.Entity; the repository prefix is keys.EventPrefix.
func (e Event) StoreKey() string { return e.ID }

func (e Event) validate() error {
	switch {
	case strings.TrimSpace(e.Title) == "":
		return fmt.Errorf("%w: title is required", ErrInvalid)
	case !e.EndsAt.After(e.StartsAt):
		return fmt.Errorf("%w: event ends before it starts", ErrInvalid)
	case e.Capacity < 0:
		return fmt.Errorf("%w: negative capacity", ErrInvalid)
	}
	return nil
}

// NewRepo returns the event repository over a tenant-scoped store.
func NewRepo(st store.Store) *repo.Repo[Event] {
	return repo.New[Event](st, keys.EventPrefix, 0)
}

// Commands and queries handled by Service.
type (
	CreateEventCmd struct {
		Title, Venue, Slug string
		StartsAt, EndsAt   time.Time
		Capacity           int
		Actor              string
	}
	UpdateEventCmd struct {
		ID              string
		ExpectedVersion int
		Title, Venue    *string
		Capacity        *int
		Publish         *bool
		Actor           string
	}
	PreviewDraftCmd struct{ Event Event }
	GetEventQuery   struct{ ID string }
	BySlugQuery     struct{ Slug string }
)

// Service routes messages to use cases.
type Service struct {
	Create  CreateEvent
	Update  UpdateEvent
	Preview PreviewDraft
	Events  *repo.Repo[Event]
	Slugs   store.Getter
}

// Handle executes one command or query.
func (s *Service) Handle(ctx context.Context, msg any) (any, error) {
	switch m := msg.(type) {
	case CreateEventCmd:
		return s.Create.Execute(ctx, m)
	case UpdateEventCmd:
		return s.Update.Execute(ctx, m)
	case PreviewDraftCmd:
		return s.Preview.Execute(ctx, m)
	case GetEventQuery:
		return s.get(ctx, m.ID)
	case BySlugQuery:
		id, err := s.Slugs.Get(ctx, keys.Slug(m.Slug))
		if store.IsNotFound(err) {
			return nil, ErrNotFound
		}
		if err != nil {
			return nil, err
		}
		return s.get(ctx, string(id))
	default:
		return nil, fmt.Errorf("events: unknown message %T", msg)
	}
}

func (s *Service) get(ctx context.Context, id string) (Event, error) {
	opt, err := s.Events.Find(ctx, id).Unwrap()
	if err != nil {
		return Event{}, err
	}
	ev, ok := opt.Get()
	if !ok {
		return Event{}, ErrNotFound
	}
	return ev, nil
}
