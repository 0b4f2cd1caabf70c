package events

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"example.com/lantern/internal/keys"
	"example.com/lantern/internal/repo"
	"example.com/lantern/internal/store"
)

// CreateEvent stores a new event under a fresh ID and registers its slug.
type CreateEvent struct {
	Events *repo.Repo[Event]
	Slugs  store.Setter
	Audit  *AuditTrail
	NewID  func() string
	Clock  func() time.Time
}

// Execute implements the use case.
func (u CreateEvent) Execute(ctx context.Context, cmd CreateEventCmd) (Event, error) {
	ev := Event{
		ID:        u.NewID(),
		Slug:      cmd.Slug,
		Title:     cmd.Title,
		Venue:     cmd.Venue,
		StartsAt:  cmd.StartsAt,
		EndsAt:    cmd.EndsAt,
		Capacity:  cmd.Capacity,
		Version:   1,
		UpdatedAt: u.Clock().UTC(),
	}
	if err := ev.validate(); err != nil {
		return Event{}, err
	}
	if err := u.Events.Save(ctx, ev); err != nil {
		return Event{}, err
	}
	if ev.Slug != "" {
		if err := u.Slugs.Put(ctx, keys.Slug(ev.Slug), []byte(ev.ID), store.PutOptions{}); err != nil {
			return ev, fmt.Errorf("events: slug: %w", err)
		}
	}
	if u.Audit != nil {
		_ = u.Audit.Record(ctx, ev.ID, cmd.Actor, "created")
	}
	return ev, nil
}

// UpdateEvent applies a partial update, refusing stale versions.
type UpdateEvent struct {
	Events *repo.Repo[Event]
	Audit  *AuditTrail
	Clock  func() time.Time
}

// Execute implements the use case.
func (u UpdateEvent) Execute(ctx context.Context, cmd UpdateEventCmd) (Event, error) {
	opt, err := u.Events.Find(ctx, cmd.ID).Unwrap()
	if err != nil {
		return Event{}, err
	}
	ev, ok := opt.Get()
	if !ok {
		return Event{}, ErrNotFound
	}
	if ev.Version != cmd.ExpectedVersion {
		return ev, ErrConflict
	}
	if cmd.Title != nil {
		ev.Title = *cmd.Title
	}
	if cmd.Venue != nil {
		ev.Venue = *cmd.Venue
	}
	if cmd.Capacity != nil {
		ev.Capacity = *cmd.Capacity
	}
	if cmd.Publish != nil {
		ev.Published = *cmd.Publish
	}
	if err := ev.validate(); err != nil {
		return Event{}, err
	}
	ev.Version++
	ev.UpdatedAt = u.Clock().UTC()
	if err := u.Events.Save(ctx, ev); err != nil { // EXPECT kvrace
		return Event{}, err
	}
	if u.Audit != nil {
		_ = u.Audit.Record(ctx, ev.ID, cmd.Actor, fmt.Sprintf("updated to v%d", ev.Version))
	}
	return ev, nil
}

// PreviewDraft stores an unpublished rendering for the organiser to share
// with co-hosts, returning the preview token.
type PreviewDraft struct {
	Drafts store.Setter
	NewID  func() string
}

// Execute implements the use case.
func (p PreviewDraft) Execute(ctx context.Context, cmd PreviewDraftCmd) (string, error) {
	if err := cmd.Event.validate(); err != nil {
		return "", err
	}
	b, err := json.Marshal(cmd.Event)
	if err != nil {
		return "", err
	}
	token := p.NewID()
	if err := p.Drafts.Put(ctx, "preview:"+token, b, store.PutOptions{TTL: 45 * time.Second}); err != nil { // EXPECT kvttl
		return "", err
	}
	return token, nil
}

// AuditTrail keeps a plain-text change log per event.
type AuditTrail struct {
	Store store.Store
	Clock func() time.Time
}

// Record appends one line to the event's log.
func (a *AuditTrail) Record(ctx context.Context, eventID, actor, action string) error {
	key := keys.Audit(eventID)
	old, err := a.Store.Get(ctx, key)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	line := fmt.Sprintf("%s\t%s\t%s\n", a.Clock().UTC().Format(time.RFC3339), actor, action)
	return a.Store.Put(ctx, key, []byte(string(old)+line), store.PutOptions{}) // EXPECT kvrace
}
