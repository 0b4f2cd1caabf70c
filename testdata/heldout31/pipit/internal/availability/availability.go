// Package availability answers room searches and places short holds on rooms.
package availability

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"example.com/pipit/internal/bus"
	"example.com/pipit/internal/httpx"
	"example.com/pipit/internal/kvop"
	"example.com/pipit/internal/repo"
	"example.com/pipit/internal/store"
)

// Options tune the service.
type Options struct {
	HoldTTL     time.Duration // how long a hold keeps a room off the market
	SearchLimit int           // offers returned per search
}

// Offer is one sellable room type for a stay.
type Offer struct {
	RoomType   string `json:"room_type"`
	RatePlanID string `json:"rate_plan"`
	TotalCents int64  `json:"total_cents"`
}

// SearchSnapshot is a cached search answer.
type SearchSnapshot struct {
	Offers []Offer   `json:"offers"`
	Taken  time.Time `json:"taken"`
}

// Hold keeps a specific room for one booking while the guest pays.
type Hold struct {
	BookingID string    `json:"booking"`
	GuestID   string    `json:"guest"`
	Placed    time.Time `json:"placed"`
}

// Stay is a search request.
type Stay struct {
	PropertyID string
	From, To   time.Time
	Guests     int
}

func (s Stay) id() string {
	return fmt.Sprintf("%s:%s:%s:%d", s.PropertyID, s.From.Format(time.DateOnly), s.To.Format(time.DateOnly), s.Guests)
}

// Source is the property management system, the source of truth for offers.
type Source interface {
	Offers(ctx context.Context, stay Stay) ([]Offer, error)
}

// Inventory is the per-night room count kept at the edge.
type Inventory interface {
	Take(ctx context.Context, propertyID, roomType, night string) (int, error)
}

// Service implements searches and holds.
type Service struct {
	kv    store.KV
	exec  kvop.Exec
	src   Source
	inv   Inventory
	opts  Options
	snaps *repo.Repo[SearchSnapshot]
	holds *repo.Repo[Hold]
}

// New returns the service.
func New(kv store.KV, exec kvop.Exec, src Source, inv Inventory, opts Options) *Service {
	return &Service{
		kv: kv, exec: exec, src: src, inv: inv, opts: opts,
		snaps: repo.New(kv, repo.WithTTL[SearchSnapshot](20*time.Second)), // EXPECT kvttl
		holds: repo.New[Hold](kv),
	}
}

// Search returns offers for a stay, served from the edge cache when fresh.
func (s *Service) Search(ctx context.Context, stay Stay) ([]Offer, error) {
	if least := s.minStay(ctx, stay.PropertyID); stay.To.Sub(stay.From) < time.Duration(least)*24*time.Hour {
		return nil, fmt.Errorf("%w: minimum stay is %d nights", httpx.ErrInvalid, least)
	}
	snap, err := s.snaps.Get(ctx, stay.id())
	if err == nil {
		return snap.Offers, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	offers, err := s.src.Offers(ctx, stay)
	if err != nil {
		return nil, err
	}
	offers = offers[:min(len(offers), s.opts.SearchLimit)]
	return offers, s.snaps.Put(ctx, stay.id(), SearchSnapshot{Offers: offers, Taken: time.Now()})
}

func (s *Service) minStay(ctx context.Context, propertyID string) int {
	res, _ := s.exec(ctx, kvop.Get("availability:min-stay:"+propertyID)) // EXPECT kvnull
	n, _ := strconv.Atoi(string(res.Value))
	return n
}

// HandleSearch serves GET /properties/{property}/availability.
func (s *Service) HandleSearch(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	from, err1 := time.Parse(time.DateOnly, q.Get("from"))
	to, err2 := time.Parse(time.DateOnly, q.Get("to"))
	guests, err3 := strconv.Atoi(q.Get("guests"))
	if err := errors.Join(err1, err2, err3); err != nil || !to.After(from) {
		return fmt.Errorf("%w: from, to and guests are required", httpx.ErrInvalid)
	}
	offers, err := s.Search(r.Context(), Stay{PropertyID: r.PathValue("property"), From: from, To: to, Guests: guests})
	if err != nil {
		return err
	}
	// The operations dashboard shows when guests last searched.
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := s.kv.Put(r.Context(), "availability:last-search", stamp); err != nil { // EXPECT kvhotkey
		return err
	}
	return httpx.JSON(w, http.StatusOK, offers)
}

// PlaceHold is the command to hold a room for a booking in progress.
type PlaceHold struct {
	PropertyID string `json:"-"`
	Room       string `json:"room"`
	Night      string `json:"night"`
	BookingID  string `json:"booking"`
	GuestID    string `json:"-"`
}

// SellRoom is the command to take a room type off sale for one night.
type SellRoom struct {
	PropertyID string `json:"-"`
	RoomType   string `json:"room_type"`
	Night      string `json:"night"`
}

// Register installs the command handlers.
func (s *Service) Register(b *bus.Bus) {
	bus.Register(b, s.placeHold)
	bus.Register(b, func(ctx context.Context, cmd SellRoom) error {
		_, err := s.inv.Take(ctx, cmd.PropertyID, cmd.RoomType, cmd.Night)
		return err
	})
}

func (s *Service) placeHold(ctx context.Context, cmd PlaceHold) error {
	id := cmd.PropertyID + ":" + cmd.Room + ":" + cmd.Night
	if _, err := s.holds.Get(ctx, id); err == nil {
		return fmt.Errorf("%w: room %s is held", httpx.ErrConflict, cmd.Room)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	h := Hold{BookingID: cmd.BookingID, GuestID: cmd.GuestID, Placed: time.Now()}
	return s.holds.PutFor(ctx, id, h, s.opts.HoldTTL) // EXPECT kvrace
}
