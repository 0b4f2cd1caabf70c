// Package bookings reserves desks, rooms and phone booths.
package bookings

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/flags"
	"example.com/grebe/internal/saga"
	"example.com/grebe/internal/store"
)

// DoorCodes is what bookings need from the door-code issuer.
type DoorCodes interface {
	Issue(ctx context.Context, site domain.SiteID, member domain.MemberID) (domain.DoorCode, error)
	Revoke(site domain.SiteID, code string) error
}

// roomState is the per-room summary shown on the room's door tablet.
type roomState struct {
	Room     string    `json:"room"`
	NextFrom time.Time `json:"next_from"`
	NextBy   string    `json:"next_by"`
}

// Service books resources.
type Service struct {
	st       store.Store
	bookings *store.Repo[domain.Booking]
	states   *store.Repo[roomState]
	codes    DoorCodes
	flags    *flags.Set
	now      func() time.Time
	maxPages int
}

// New builds the service on top of st.
func New(st store.Store, codes DoorCodes, fl *flags.Set, maxPages int) *Service {
	return &Service{
		st:       st,
		bookings: store.NewRepo[domain.Booking](st, "booking:", store.WithTTL[domain.Booking](90*24*time.Hour)),
		states:   store.NewRepo[roomState](st, "room-state:", store.WithTTL[roomState](24*time.Hour)),
		codes:    codes,
		flags:    fl,
		now:      time.Now,
		maxPages: maxPages,
	}
}

func newID() string {
	b := make([]byte, 9)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func claimKey(b domain.Booking, slot time.Time) string {
	return fmt.Sprintf("claim:%s:%s:%d", b.Site, b.Resource, slot.Unix())
}

func calendarKey(b domain.Booking) string {
	return "cal:" + string(b.Site) + ":" + b.Resource + ":" + b.Day()
}

func slotKey(b domain.Booking) string {
	return fmt.Sprintf("calslot:%s:%s:%s:%d", b.Site, b.Resource, b.Day(), b.Start.Unix())
}

// calendarEntry is one line of a resource's day calendar.
type calendarEntry struct {
	Booking string    `json:"b"`
	Start   time.Time `json:"s"`
	End     time.Time `json:"e"`
}

// Book reserves the resource and, for desks, issues a door code.
func (s *Service) Book(ctx context.Context, req domain.Booking) (domain.Booking, error) {
	if err := req.Validate(); err != nil {
		return domain.Booking{}, err
	}
	p, ok := policyFor(req.Kind)
	if !ok {
		return domain.Booking{}, fmt.Errorf("bookings: unknown kind %q", req.Kind)
	}
	if req.Start.Sub(s.now()) > p.maxAhead {
		return domain.Booking{}, fmt.Errorf("bookings: too far ahead")
	}
	b := req
	b.ID = newID()
	b.Status = domain.StatusHeld
	slots := p.slots(b.Start, b.End)
	var code domain.DoorCode

	steps := []saga.Step{
		{
			Name: "claim",
			Do:   func(ctx context.Context) error { return s.claim(ctx, b, slots, p.hold) },
			Undo: func(ctx context.Context) error { return s.release(ctx, b, slots) },
		},
		{
			Name: "save",
			Do:   func(ctx context.Context) error { return s.bookings.Save(ctx, b.ID, b) },
			Undo: func(ctx context.Context) error { return s.bookings.Delete(ctx, b.ID) },
		},
		{
			Name: "calendar",
			Do:   func(ctx context.Context) error { return s.addToCalendar(ctx, b) },
			Undo: func(ctx context.Context) error { return s.st.Delete(ctx, slotKey(b)) },
		},
	}
	if p.needsCode {
		steps = append(steps, saga.Step{
			Name: "door-code",
			Do: func(ctx context.Context) error {
				var err error
				code, err = s.codes.Issue(ctx, b.Site, b.Member)
				return err
			},
		})
	}
	if err := saga.Run(ctx, steps...); err != nil {
		return domain.Booking{}, err
	}
	if code.Code != "" {
		b.Guests = append(b.Guests, "door:"+code.Code)
	}
	// Remember the resource for the member's "book again" list.
	_ = store.Update(ctx, s.st, "recent:"+string(b.Member), func(r *[]string) error {
		*r = append([]string{b.Resource}, slices.DeleteFunc(*r, func(x string) bool { return x == b.Resource })...)
		*r = (*r)[:min(len(*r), 5)]
		return nil
	})
	return b, nil
}

// claim marks every slot as taken by this booking. The hold lapses on its
// own unless the booking is confirmed.
func (s *Service) claim(ctx context.Context, b domain.Booking, slots []time.Time, hold time.Duration) error {
	for _, t := range slots {
		key := claimKey(b, t)
		taken, err := store.Exists(ctx, s.st, key)
		if err != nil {
			return err
		}
		if taken {
			return fmt.Errorf("%w: %s at %s", domain.ErrConflict, b.Resource, t.Format(time.Kitchen))
		}
		if err := s.st.Put(ctx, key, []byte(b.ID), store.PutOptions{TTL: hold}); err != nil { // EXPECT kvrace
			return err
		}
	}
	return nil
}

func (s *Service) release(ctx context.Context, b domain.Booking, slots []time.Time) error {
	var errs []error
	for _, t := range slots {
		errs = append(errs, s.st.Delete(ctx, claimKey(b, t)))
	}
	return errors.Join(errs...)
}

// addToCalendar records the booking on the resource's day calendar. The
// slot-keyed layout writes one key per booking; the legacy layout keeps the
// whole day in one value.
func (s *Service) addToCalendar(ctx context.Context, b domain.Booking) error {
	entry := calendarEntry{Booking: b.ID, Start: b.Start, End: b.End}
	if s.flags.Enabled(ctx, flags.SlotKeyedCalendar) {
		return store.PutJSON(ctx, s.st, slotKey(b), entry, store.PutOptions{ExpireAt: b.End.Add(24 * time.Hour)})
	}
	key := calendarKey(b)
	var day []calendarEntry
	raw, err := s.st.Get(ctx, key)
	switch {
	case errors.Is(err, store.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &day); err != nil {
			return err
		}
	}
	day = append(day, entry)
	out, _ := json.Marshal(day)
	return s.st.Put(ctx, key, out, store.PutOptions{ExpireAt: b.End.Add(24 * time.Hour)}) // EXPECT kvrace
}

// Cancel cancels a booking and frees its slots.
func (s *Service) Cancel(ctx context.Context, member domain.MemberID, id string) error {
	var cancelled domain.Booking
	err := s.bookings.Modify(ctx, id, func(b *domain.Booking) error {
		if b.Member != member {
			return domain.ErrForbidden
		}
		b.Status = domain.StatusCancelled
		cancelled = *b
		return nil
	})
	if err != nil {
		return err
	}
	p, _ := policyFor(cancelled.Kind)
	if err := s.release(ctx, cancelled, p.slots(cancelled.Start, cancelled.End)); err != nil {
		return err
	}
	for _, g := range cancelled.Guests {
		if code, ok := strings.CutPrefix(g, "door:"); ok {
			_ = s.codes.Revoke(cancelled.Site, code)
		}
	}
	return nil
}

// Taken lists the slot claims of a resource family at a site, legacy path.
func (s *Service) Taken(ctx context.Context, site domain.SiteID, resourcePrefix string) ([]string, error) {
	prefix := "claim:" + string(site) + ":" + resourcePrefix
	if s.flags.Enabled(ctx, flags.SlotKeyedCalendar) {
		return s.takenPaged(ctx, prefix)
	}
	page, err := s.st.List(ctx, store.ListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, strings.TrimPrefix(k.Name, "claim:"+string(site)+":"))
	}
	return out, nil
}

func (s *Service) takenPaged(ctx context.Context, prefix string) ([]string, error) {
	var out []string
	cursor := ""
	for range s.maxPages {
		page, err := s.st.List(ctx, store.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			out = append(out, strings.TrimPrefix(k.Name, prefix))
		}
		if page.Complete {
			return out, nil
		}
		cursor = page.Cursor
	}
	return out, fmt.Errorf("bookings: more than %d pages of claims under %s", s.maxPages, prefix)
}

// Import loads bookings from the legacy spreadsheet export for one room and
// refreshes the room's tablet summary.
func (s *Service) Import(ctx context.Context, room string, rows []domain.Booking) error {
	state := roomState{Room: room}
	for _, b := range rows {
		if b.Resource != room {
			continue
		}
		b.ID = newID()
		b.Status = domain.StatusConfirmed
		if err := s.bookings.Save(ctx, b.ID, b); err != nil {
			return err
		}
		if state.NextFrom.IsZero() || b.Start.Before(state.NextFrom) {
			state.NextFrom, state.NextBy = b.Start, string(b.Member)
		}
		if err := s.states.Save(ctx, room, state); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}
