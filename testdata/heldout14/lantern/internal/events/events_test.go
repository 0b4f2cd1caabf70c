package events_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"example.com/lantern/internal/events"
	"example.com/lantern/internal/store/memstore"
)

func newService(t *testing.T) (*events.Service, *memstore.Store) {
	t.Helper()
	m := memstore.New()
	now := func() time.Time { return time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC) }
	n := 0
	newID := func() string { n++; return "ev" + strings.Repeat("x", n) }
	r := events.NewRepo(m)
	audit := &events.AuditTrail{Store: m, Clock: now}
	return &events.Service{
		Create:  events.CreateEvent{Events: r, Slugs: m, Audit: audit, NewID: newID, Clock: now},
		Update:  events.UpdateEvent{Events: r, Audit: audit, Clock: now},
		Preview: events.PreviewDraft{Drafts: m, NewID: newID},
		Events:  r,
		Slugs:   m,
	}, m
}

func TestCreateUpdateBySlug(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService(t)
	start := time.Date(2025, 4, 1, 18, 0, 0, 0, time.UTC)
	out, err := svc.Handle(ctx, events.CreateEventCmd{Title: "Go Night", Slug: "go-night", StartsAt: start, EndsAt: start.Add(2 * time.Hour), Capacity: 40})
	if err != nil {
		t.Fatal(err)
	}
	ev := out.(events.Event)
	title := "Go Night #2"
	if _, err := svc.Handle(ctx, events.UpdateEventCmd{ID: ev.ID, ExpectedVersion: 1, Title: &title}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Handle(ctx, events.UpdateEventCmd{ID: ev.ID, ExpectedVersion: 1, Title: &title}); !errors.Is(err, events.ErrConflict) {
		t.Fatalf("stale update: %v", err)
	}
	got, err := svc.Handle(ctx, events.BySlugQuery{Slug: "Go-Night"})
	if err != nil || got.(events.Event).Title != title {
		t.Fatalf("by slug: %+v %v", got, err)
	}
}

func TestCreateRejectsBadTimes(t *testing.T) {
	svc, _ := newService(t)
	now := time.Now()
	_, err := svc.Handle(context.Background(), events.CreateEventCmd{Title: "x", StartsAt: now, EndsAt: now})
	if !errors.Is(err, events.ErrInvalid) {
		t.Fatalf("err = %v", err)
	}
}
