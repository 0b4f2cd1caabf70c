// Package catalog manages events: drafting, scheduled publication and the
// public event pages.
package catalog

import (
	"errors"
	"fmt"
	"time"
)

// Status is the publication state of an event.
type Status string

// Event statuses.
const (
	Draft     Status = "draft"
	Scheduled Status = "scheduled"
	Published Status = "published"
	Cancelled Status = "cancelled"
)

// Event is an organiser's event.
type Event struct {
	ID          string    `json:"id"`
	Tenant      string    `json:"tenant"`
	VenueSlug   string    `json:"venue"`
	Title       string    `json:"title"`
	Description string    `json:"description"`
	Tags        []string  `json:"tags,omitempty"`
	StartsAt    time.Time `json:"starts_at"`
	EndsAt      time.Time `json:"ends_at"`
	PublishAt   time.Time `json:"publish_at,omitzero"`
	PublishedAt time.Time `json:"published_at,omitzero"`
	Status      Status    `json:"status"`
	Capacity    int       `json:"capacity"`
}

// Page is the public rendering of a published event.
type Page struct {
	ID       string    `json:"id"`
	Title    string    `json:"title"`
	Venue    string    `json:"venue"`
	StartsAt time.Time `json:"starts_at"`
	HTML     string    `json:"html"`
}

var (
	// ErrNotFound is returned for an unknown event.
	ErrNotFound = errors.New("catalog: event not found")
	// ErrNotDraft is returned when editing an event that is no longer a draft.
	ErrNotDraft = errors.New("catalog: event is not a draft")
	// ErrInvalid is returned for an event that fails validation.
	ErrInvalid = errors.New("catalog: invalid event")
)

// Validate checks the fields an organiser must supply.
func (e Event) Validate(now time.Time) error {
	switch {
	case e.Title == "":
		return fmt.Errorf("%w: title is required", ErrInvalid)
	case e.VenueSlug == "":
		return fmt.Errorf("%w: venue is required", ErrInvalid)
	case !e.EndsAt.After(e.StartsAt):
		return fmt.Errorf("%w: event must end after it starts", ErrInvalid)
	case !e.PublishAt.IsZero() && e.PublishAt.After(e.StartsAt):
		return fmt.Errorf("%w: publication must precede the start", ErrInvalid)
	case e.StartsAt.Before(now):
		return fmt.Errorf("%w: event starts in the past", ErrInvalid)
	}
	return nil
}

// canTransition reports whether the status change is allowed.
func canTransition(from, to Status) bool {
	switch from {
	case Draft:
		return to == Scheduled || to == Published || to == Cancelled
	case Scheduled:
		return to == Draft || to == Published || to == Cancelled
	case Published:
		return to == Cancelled
	}
	return false
}
