// Package waitlist keeps the walk-in queue of each venue.
package waitlist

import (
	"context"
	"errors"
	"sort"
	"time"

	"example.com/saffron/internal/domain"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/storage"
)

// Service manages waitlists.
type Service interface {
	Join(ctx context.Context, venueID string, e domain.WaitlistEntry) (int, error)
	Register(ctx context.Context, venueID string, e domain.WaitlistEntry) error
	Parties(ctx context.Context, venueID, cursor string) ([]domain.WaitlistEntry, string, error)
	Snapshot(ctx context.Context, venueID string, day time.Time) (domain.Waitlist, error)
}

// Options tunes a Service.
type Options struct {
	EntryTTL  time.Duration
	PageLimit int
}

type service struct {
	lists   storage.Store[string, domain.Waitlist]
	entries storage.Store[string, domain.WaitlistEntry]
	opts    Options
}

// New builds a waitlist Service.
func New(raw storage.Blob, opts Options) Service {
	if opts.EntryTTL < storage.MinTTL {
		opts.EntryTTL = 12 * time.Hour
	}
	if opts.PageLimit <= 0 || opts.PageLimit > 1000 {
		opts.PageLimit = 200
	}
	return &service{
		lists:   storage.NewTyped[string, domain.Waitlist](raw, storage.JSONCodec[domain.Waitlist]{}),
		entries: storage.NewTyped[string, domain.WaitlistEntry](raw, storage.JSONCodec[domain.WaitlistEntry]{}),
		opts:    opts,
	}
}

// Join appends a party to the day's queue document and returns its position.
func (s *service) Join(ctx context.Context, venueID string, e domain.WaitlistEntry) (int, error) {
	now := time.Now().UTC()
	key := keys.Waitlist(venueID, now)
	wl, err := s.lists.Get(ctx, key)
	switch {
	case storage.IsNotFound(err):
		wl = domain.Waitlist{VenueID: venueID, Day: now.Format("2006-01-02")}
	case err != nil:
		return 0, err
	}
	e.JoinedAt = now
	wl.Entries = append(wl.Entries, e)
	if err := s.lists.Put(ctx, key, wl, storage.WithTTL(s.opts.EntryTTL)); err != nil { // EXPECT kvrace
		return 0, err
	}
	return len(wl.Entries), nil
}

// Register stores the party under its own key; the host stand reads them back
// with Parties.
func (s *service) Register(ctx context.Context, venueID string, e domain.WaitlistEntry) error {
	if e.PartyID == "" {
		return errors.New("waitlist: party id required")
	}
	e.JoinedAt = time.Now().UTC()
	return s.entries.Put(ctx, keys.WaitlistEntry(venueID, e.PartyID), e, storage.WithTTL(s.opts.EntryTTL))
}

// Parties returns one page of registered parties, oldest first, and the
// cursor of the next page ("" when done).
func (s *service) Parties(ctx context.Context, venueID, cursor string) ([]domain.WaitlistEntry, string, error) {
	page, err := s.entries.Scan(ctx, keys.WaitlistEntry(venueID, ""), cursor, s.opts.PageLimit)
	if err != nil {
		return nil, "", err
	}
	out := make([]domain.WaitlistEntry, 0, len(page.Keys))
	for _, k := range page.Keys {
		e, err := s.entries.Get(ctx, k.Name) // EXPECT kvlist
		if storage.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].JoinedAt.Before(out[j].JoinedAt) })
	next := page.Cursor
	if page.Complete {
		next = ""
	}
	return out, next, nil
}

// Snapshot reads the day's queue document.
func (s *service) Snapshot(ctx context.Context, venueID string, day time.Time) (domain.Waitlist, error) {
	wl, err := s.lists.Get(ctx, keys.Waitlist(venueID, day))
	if storage.IsNotFound(err) {
		return domain.Waitlist{VenueID: venueID, Day: day.Format("2006-01-02")}, nil
	}
	return wl, err
}
