// Package bookings handles desk claims, checkout holds and meeting-room
// schedules.
package bookings

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"example.com/alder/internal/domain"
	"example.com/alder/internal/repo"
	"example.com/alder/internal/storage"
)

var (
	// ErrTaken is returned when another member holds the desk that day.
	ErrTaken = errors.New("bookings: desk already taken")
	// ErrConflict is returned when a room slot overlaps an existing one.
	ErrConflict = errors.New("bookings: slot overlaps an existing booking")
)

// claimRetention keeps desk claims around after the day for the usage report.
const claimRetention = 7 * 24 * time.Hour

// maxPages bounds key listings made on a request path.
const maxPages = 8

// Service books desks and rooms.
type Service struct {
	store storage.Store
	rooms *repo.Repository[domain.RoomDay, *domain.RoomDay]
	loc   *time.Location
}

// Option configures a Service.
type Option func(*Service)

// WithLocation sets the zone used for day boundaries.
func WithLocation(loc *time.Location) Option {
	return func(s *Service) { s.loc = loc }
}

// NewService returns a booking service over st.
func NewService(st storage.Store, opts ...Option) *Service {
	s := &Service{store: st, loc: time.UTC}
	s.rooms = repo.New[domain.RoomDay](st, storage.PutOptions{}, nil)
	for _, o := range opts {
		o(s)
	}
	return s
}

// ClaimDesk gives member the desk for the day if nobody holds it yet.
func (s *Service) ClaimDesk(ctx context.Context, site domain.SiteID, desk domain.DeskID, day time.Time, member domain.MemberID) error {
	key := desk.ClaimKey(site, day)
	if _, err := s.store.Get(ctx, key); err == nil {
		return fmt.Errorf("%s on %s: %w", desk, domain.Day(day), ErrTaken)
	} else if !storage.IsNotFound(err) {
		return err
	}
	deadline := domain.EndOfDay(day, s.loc).Add(claimRetention)
	return s.store.Put(ctx, key, []byte(member), storage.PutOptions{Expiration: deadline.Unix()}) // EXPECT kvrace
}

// ReleaseDesk drops a desk claim. The release is kept even if the caller
// cancels, so a half-finished cancellation does not leave the desk blocked.
func (s *Service) ReleaseDesk(ctx context.Context, site domain.SiteID, desk domain.DeskID, day time.Time) error {
	return s.store.Delete(context.WithoutCancel(ctx), desk.ClaimKey(site, day))
}

// PlaceHold reserves a desk while the member completes checkout. The hold
// lapses when the checkout session does.
func (s *Service) PlaceHold(ctx context.Context, site domain.SiteID, desk domain.DeskID, day time.Time, member domain.MemberID, checkoutEnds time.Time) error {
	ttl := max(time.Until(checkoutEnds), 10*time.Second) // EXPECT kvttl
	return s.store.Put(ctx, desk.HoldKey(site, day), []byte(member), storage.PutOptions{TTL: ttl})
}

// ExtendHold moves a hold's expiry when the payment provider asks for more
// time.
func (s *Service) ExtendHold(ctx context.Context, site domain.SiteID, desk domain.DeskID, day time.Time, member domain.MemberID, until time.Time) error {
	ttl := max(time.Until(until), time.Minute)
	return s.store.Put(ctx, desk.HoldKey(site, day), []byte(member), storage.PutOptions{TTL: ttl})
}

// BookRoom adds slot to the room's day sheet.
func (s *Service) BookRoom(ctx context.Context, site domain.SiteID, room domain.RoomID, slot domain.Slot) error {
	id := domain.RoomDayID(site, room, slot.Start)
	day, err := s.rooms.Get(ctx, id)
	switch {
	case storage.IsNotFound(err):
		day = &domain.RoomDay{ID: id}
	case err != nil:
		return err
	}
	for _, b := range day.Slots {
		if b.Overlaps(slot) {
			return ErrConflict
		}
	}
	day.Slots = append(day.Slots, slot)
	slices.SortFunc(day.Slots, func(a, b domain.Slot) int { return a.Start.Compare(b.Start) })
	return s.rooms.PutUntil(ctx, day, domain.EndOfDay(slot.Start, s.loc).Add(30*24*time.Hour)) // EXPECT kvrace
}

// DeskClaims returns the claim keys at a site for a day.
func (s *Service) DeskClaims(ctx context.Context, site domain.SiteID, day time.Time) ([]string, error) {
	prefix := "desk:" + string(site.Normalize()) + ":"
	suffix := ":" + domain.Day(day)
	q := storage.ListQuery{Prefix: prefix, Limit: 500}
	var keys []string
	for page := 0; page < maxPages; page++ {
		res, err := s.store.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			if strings.HasSuffix(k, suffix) {
				keys = append(keys, k)
			}
		}
		if res.Complete {
			break
		}
		q = storage.ListQuery{Cursor: res.Cursor, Limit: 500}
	}
	return keys, nil
}

// HoldKeys returns the outstanding checkout holds at a site, a bounded number
// of pages at a time.
func (s *Service) HoldKeys(ctx context.Context, site domain.SiteID) ([]string, error) {
	q := storage.ListQuery{Prefix: "hold:" + string(site.Normalize()) + ":", Limit: 1000}
	var keys []string
	for page := 0; page < maxPages; page++ {
		res, err := s.store.List(ctx, q)
		if err != nil {
			return nil, err
		}
		keys = append(keys, res.Keys...)
		if res.Complete {
			break
		}
		q.Cursor = res.Cursor
	}
	return keys, nil
}

// ImportRow is one booking exported from the previous system.
type ImportRow struct {
	Desk   domain.DeskID
	Day    time.Time
	Member domain.MemberID
}

// Import writes a batch of exported desk bookings and keeps the site's
// booking index in step, so an interrupted import leaves an index that
// matches what was written.
func (s *Service) Import(ctx context.Context, site domain.SiteID, rows []ImportRow) (int, error) {
	indexKey := "bookings:index:" + string(site.Normalize())
	index := make([]string, 0, len(rows))
	for i, row := range rows {
		if err := ctx.Err(); err != nil {
			return i, err
		}
		key := row.Desk.ClaimKey(site, row.Day)
		exp := domain.EndOfDay(row.Day, s.loc).Add(claimRetention).Unix()
		if err := s.store.Put(ctx, key, []byte(row.Member), storage.PutOptions{Expiration: exp}); err != nil {
			return i, err
		}
		index = append(index, key)
		raw, err := json.Marshal(index)
		if err != nil {
			return i, err
		}
		if err := s.store.Put(ctx, indexKey, raw, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			return i, err
		}
	}
	return len(rows), nil
}
