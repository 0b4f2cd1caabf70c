// Package reservations is the booking flow: slot holds, bookings,
// cancellations, pre-order carts and the walk-in waitlist.
package reservations

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/juniper/internal/background"
	"example.com/juniper/internal/events"
	"example.com/juniper/internal/httpx"
	"example.com/juniper/internal/kvstore"
	"example.com/juniper/internal/records"
)

// Reservation is a confirmed booking.
type Reservation struct {
	ID         string    `json:"id"`
	VenueID    string    `json:"venue"`
	GuestName  string    `json:"guest"`
	GuestEmail string    `json:"email"`
	PartySize  int       `json:"party"`
	Slot       time.Time `json:"slot"`
	CreatedAt  time.Time `json:"created"`
}

// LogValue omits guest contact details.
func (r Reservation) LogValue() slog.Value {
	return slog.GroupValue(slog.String("id", r.ID), slog.String("venue", r.VenueID), slog.Int("party", r.PartySize))
}

// Summary is the ops dashboard's service snapshot.
type Summary struct {
	Covers       int       `json:"covers"`
	Reservations int       `json:"reservations"`
	AsOf         time.Time `json:"as_of"`
}

// Ledger is the reservations system of record (juniper-core).
type Ledger interface {
	Insert(ctx context.Context, r Reservation) error
	Cancel(ctx context.Context, id string) (Reservation, error)
	Summary(ctx context.Context, day time.Time) (Summary, error)
}

// Quota checks the venue's plan allowance.
type Quota interface {
	Consume(ctx context.Context, venueID string) error
}

// Deps are the service's collaborators.
type Deps struct {
	Store   kvstore.Store
	Ledger  Ledger
	Quota   Quota
	Bus     *events.Bus
	Runner  *background.Runner
	HoldTTL time.Duration
}

// Service implements the booking flow.
type Service struct {
	Deps
	now func() time.Time
}

// New wires the service.
func New(d Deps) *Service { return &Service{Deps: d, now: time.Now} }

func newID() string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b)
}

// Hold is a provisional claim on a slot while the guest completes checkout.
type Hold struct {
	Key       string    `json:"key"`
	VenueID   string    `json:"venue"`
	Slot      time.Time `json:"slot"`
	PartySize int       `json:"party"`
}

// PlaceHold holds a slot for the hold window.
func (s *Service) PlaceHold(ctx context.Context, req HoldRequest) (Hold, error) {
	slot, err := time.Parse(time.RFC3339, req.Slot)
	if err != nil || req.PartySize <= 0 {
		return Hold{}, httpx.BadRequest("slot must be RFC 3339 and party size positive")
	}
	h := Hold{VenueID: req.VenueID, Slot: slot, PartySize: req.PartySize}
	h.Key = records.Join("hold", h.VenueID, slot.UTC().Format("20060102T1504"), newID())
	b, err := json.Marshal(h)
	if err != nil {
		return Hold{}, err
	}
	if err := s.Store.Put(ctx, h.Key, b, kvstore.WithTTL(max(s.HoldTTL, 15*time.Second))); err != nil { // EXPECT kvttl
		return Hold{}, err
	}
	return h, nil
}

// Book confirms a reservation.
func (s *Service) Book(ctx context.Context, req BookRequest) (Reservation, error) {
	slot, err := time.Parse(time.RFC3339, req.Slot)
	if err != nil {
		return Reservation{}, httpx.BadRequest("slot must be RFC 3339")
	}
	if err := s.Quota.Consume(ctx, req.VenueID); err != nil {
		return Reservation{}, err
	}
	r := Reservation{ID: newID(), VenueID: req.VenueID, GuestName: req.Name,
		GuestEmail: records.Normalize(req.Email), PartySize: req.PartySize, Slot: slot, CreatedAt: s.now()}
	// A guest who closes the page mid-request still gets the booking; the
	// hold is released either way.
	if req.HoldKey != "" {
		stop := s.Runner.OnCancel(ctx, "release-hold", func(ctx context.Context) error {
			return s.Store.Delete(ctx, req.HoldKey)
		})
		defer func() {
			if stop() {
				_ = s.Store.Delete(ctx, req.HoldKey)
			}
		}()
	}
	if err := s.Ledger.Insert(ctx, r); err != nil {
		return Reservation{}, err
	}
	ticker, _ := json.Marshal(map[string]any{"venue": r.VenueID, "party": r.PartySize, "at": r.CreatedAt})
	if err := s.Store.Put(ctx, "stats/latest-booking", ticker); err != nil { // EXPECT kvhotkey
		slog.DebugContext(ctx, "ticker not updated", "err", err)
	}
	if err := events.Publish(ctx, s.Bus, events.ReservationCreated{ReservationID: r.ID, VenueID: r.VenueID,
		GuestEmail: r.GuestEmail, PartySize: r.PartySize, Slot: r.Slot, At: r.CreatedAt}); err != nil {
		slog.WarnContext(ctx, "reservation subscribers failed", "reservation", r, "err", err)
	}
	return r, nil
}

// Cancel cancels a reservation and refreshes the dashboard after replying.
func (s *Service) Cancel(ctx context.Context, req CancelRequest) (CancelResponse, error) {
	r, err := s.Ledger.Cancel(ctx, req.ID)
	if err != nil {
		return CancelResponse{}, err
	}
	_ = events.Publish(ctx, s.Bus, events.ReservationCancelled{ReservationID: r.ID, VenueID: r.VenueID, Slot: r.Slot, At: s.now()})
	s.Runner.Go(ctx, "dashboard-summary", func(ctx context.Context) error {
		sum, err := s.Ledger.Summary(ctx, s.now())
		if err != nil {
			return err
		}
		b, _ := json.Marshal(sum)
		return s.Store.Put(ctx, "dashboard/summary", b, kvstore.WithTTL(10*time.Minute)) // EXPECT kvhotkey
	})
	return CancelResponse{ID: r.ID, Cancelled: true}, nil
}

// CartItem is one pre-ordered dish or bottle.
type CartItem struct {
	SKU   string `json:"sku"`
	Qty   int    `json:"qty"`
	Notes string `json:"notes,omitempty"`
}

// Cart is a reservation's pre-order.
type Cart struct {
	ReservationID string     `json:"reservation"`
	Items         []CartItem `json:"items"`
	UpdatedAt     time.Time  `json:"updated"`
}

// getJSON loads key into v; found is false when the key does not exist.
func getJSON(ctx context.Context, store kvstore.Store, key string, v any) (found bool, err error) {
	b, err := store.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return true, json.Unmarshal(b, v)
}

// AddToCart adds an item to a reservation's pre-order.
func (s *Service) AddToCart(ctx context.Context, req AddToCartRequest) (Cart, error) {
	if req.Item.SKU == "" || req.Item.Qty <= 0 {
		return Cart{}, httpx.BadRequest("sku and positive qty required")
	}
	key := "cart/" + req.ReservationID
	c := Cart{ReservationID: req.ReservationID}
	if _, err := getJSON(ctx, s.Store, key, &c); err != nil {
		return Cart{}, err
	}
	c.Items = append(c.Items, req.Item)
	c.UpdatedAt = s.now()
	nb, err := json.Marshal(c)
	if err != nil {
		return Cart{}, err
	}
	if err := s.Store.Put(ctx, key, nb, kvstore.WithTTL(72*time.Hour)); err != nil { // EXPECT kvsession
		return Cart{}, err
	}
	return c, nil
}

// WaitlistEntry is a walk-in party waiting for a table.
type WaitlistEntry struct {
	Name      string    `json:"name"`
	Phone     string    `json:"phone"`
	PartySize int       `json:"party"`
	JoinedAt  time.Time `json:"joined"`
}

// JoinWaitlist adds a walk-in party to today's waitlist.
func (s *Service) JoinWaitlist(ctx context.Context, req JoinWaitlistRequest) (WaitlistPosition, error) {
	key := records.Join("waitlist", req.VenueID, s.now().Format(time.DateOnly))
	var list []WaitlistEntry
	if _, err := getJSON(ctx, s.Store, key, &list); err != nil {
		return WaitlistPosition{}, fmt.Errorf("reservations: waitlist: %w", err)
	}
	list = append(list, WaitlistEntry{Name: req.Name, Phone: req.Phone, PartySize: req.PartySize, JoinedAt: s.now()})
	nb, err := json.Marshal(list)
	if err != nil {
		return WaitlistPosition{}, err
	}
	if err := s.Store.Put(ctx, key, nb, kvstore.WithTTL(36*time.Hour)); err != nil { // EXPECT kvrace
		return WaitlistPosition{}, err
	}
	return WaitlistPosition{Position: len(list), QuotedMinutes: 10 * len(list)}, nil
}
