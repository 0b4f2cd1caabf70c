//go:build js && wasm

package venue

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"sedge/internal/edgekv"
	"sedge/internal/events"
	"sedge/internal/httpx"
)

func quotaName(venue, date string) string {
	return string(fmt.Appendf(nil, "quota:%s:%s", venue, date))
}

// quotaKeeper tracks booked covers per venue and day against the venue's cap.
type quotaKeeper struct {
	events.Ignore
	limits edgekv.Store
}

func (q quotaKeeper) VisitBooking(_ context.Context, e events.BookingConfirmed) error {
	name := quotaName(e.Venue, e.Date)
	used := 0
	o, err := q.limits.Lookup(name)
	if err != nil {
		return err
	}
	if v, ok := o.Get(); ok {
		if used, err = strconv.Atoi(v); err != nil {
			return fmt.Errorf("quota %s: %w", name, err)
		}
	}
	return q.limits.Put(name, strconv.Itoa(used+e.Covers), 72*time.Hour) // EXPECT kvcounter|kvrace
}

// Availability tells the booking form whether a venue still takes bookings
// for a date and how large a party may be.
func (s *Service) Availability(w http.ResponseWriter, r *http.Request) error {
	venue, date := r.PathValue("venue"), r.URL.Query().Get("date")
	if _, err := time.Parse("2006-01-02", date); err != nil {
		return httpx.Status(http.StatusBadRequest, "date: %v", err)
	}
	cfg := s.cfg.Load()
	used := 0
	if o, err := s.limits.Lookup(quotaName(venue, date)); err != nil {
		return err
	} else if v, ok := o.Get(); ok {
		used, _ = strconv.Atoi(v)
	}
	raw, err := s.limits.Raw("max-party:" + venue) // EXPECT kvnull
	if err != nil {
		return err
	}
	maxParty, _ := strconv.Atoi(raw)
	maxParty = min(maxParty, cfg.MaxPartySize)
	return httpx.JSON(w, http.StatusOK, map[string]any{
		"open":      used < cfg.DailyCovers,
		"remaining": max(cfg.DailyCovers-used, 0),
		"max_party": maxParty,
	})
}

type setLimit struct {
	Venue    string `json:"venue"`
	MaxParty int    `json:"max_party"`
}

func (c *setLimit) Validate() error {
	if c.Venue == "" || c.MaxParty < 1 || c.MaxParty > 40 {
		return httpx.Status(http.StatusUnprocessableEntity, "max_party must be 1..40")
	}
	return nil
}

// SetLimit is called by the venue dashboard.
func (s *Service) SetLimit(w http.ResponseWriter, r *http.Request) error {
	var cmd setLimit
	if err := httpx.Decode(r, &cmd); err != nil {
		return err
	}
	if err := s.limits.Put("max-party:"+cmd.Venue, strconv.Itoa(cmd.MaxParty), 0); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
