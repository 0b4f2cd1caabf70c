//go:build js && wasm

// Package tables manages table holds and the walk-in waitlist at the edge.
package tables

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"sedge/internal/bus"
	"sedge/internal/config"
	"sedge/internal/edgekv"
	"sedge/internal/events"
	"sedge/internal/httpx"
)

// Hold reserves a table slot while the diner completes the booking form.
type Hold struct {
	ID        string    `json:"id"`
	Venue     string    `json:"venue"`
	Table     string    `json:"table"`
	Slot      string    `json:"slot"`
	Covers    int       `json:"covers"`
	DinerID   string    `json:"diner_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Service serves the hold and waitlist endpoints.
type Service struct {
	holds  edgekv.Store
	slots  edgekv.Store
	lists  edgekv.Store
	boards edgekv.Store
	meta   edgekv.Store
	notice edgekv.Store
	bus    *bus.Bus
	cfg    *config.Live
}

// NewService scopes st for holds and waitlists.
func NewService(st edgekv.Store, b *bus.Bus, cfg *config.Live) *Service {
	return &Service{
		holds:  st.Scope("hold"),
		slots:  st.Scope("slot"),
		lists:  st.Scope("wl"),
		boards: st.Scope("board"),
		meta:   st.Scope("meta"),
		notice: st.Scope("notice"),
		bus:    b,
		cfg:    cfg,
	}
}

func holdID() string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

type placeHold struct {
	Venue   string    `json:"venue"`
	Table   string    `json:"table"`
	Slot    string    `json:"slot"` // 2006-01-02T15:04
	Covers  int       `json:"covers"`
	DinerID string    `json:"diner_id"`
	Until   time.Time `json:"until"`
}

func (c *placeHold) Validate() error {
	var errs []error
	if c.Venue == "" || c.Table == "" {
		errs = append(errs, errors.New("venue and table required"))
	}
	if _, err := time.Parse("2006-01-02T15:04", c.Slot); err != nil {
		errs = append(errs, fmt.Errorf("slot: %w", err))
	}
	if c.Covers < 1 {
		errs = append(errs, errors.New("covers must be positive"))
	}
	if !c.Until.IsZero() && !c.Until.After(time.Now()) {
		errs = append(errs, errors.New("until is in the past"))
	}
	return errors.Join(errs...)
}

// PlaceHold claims a table slot for a few minutes.
func (s *Service) PlaceHold(w http.ResponseWriter, r *http.Request) error {
	var cmd placeHold
	if err := httpx.Decode(r, &cmd); err != nil {
		return err
	}
	cfg := s.cfg.Load()
	if cmd.Covers > cfg.MaxPartySize {
		return httpx.Status(http.StatusUnprocessableEntity, "party too large")
	}
	slotKey := cmd.Venue + ":" + cmd.Table + ":" + cmd.Slot
	cur, err := s.slots.Lookup(slotKey)
	if err != nil {
		return err
	}
	if cur.IsSome() {
		return httpx.Status(http.StatusConflict, "slot already held")
	}
	h := Hold{
		ID: holdID(), Venue: cmd.Venue, Table: cmd.Table, Slot: cmd.Slot,
		Covers: cmd.Covers, DinerID: cmd.DinerID, ExpiresAt: time.Now().Add(cfg.HoldTTL),
	}
	if err := s.slots.PutJSON(slotKey, h, cfg.HoldTTL); err != nil { // EXPECT kvrace
		return err
	}
	body, _ := json.Marshal(h)
	if err := s.holds.PutKind(cmd.Venue+":"+h.ID, string(body), config.KindHold); err != nil {
		return err
	}
	if err := s.meta.Put("last-hold", h.Venue+" "+h.Slot, 0); err != nil { // EXPECT kvhotkey
		return err
	}
	return httpx.JSON(w, http.StatusCreated, h)
}

type holdUntil struct {
	Venue string    `json:"venue"`
	Hold  string    `json:"hold"`
	Until time.Time `json:"until"`
}

func (c *holdUntil) Validate() error {
	if c.Venue == "" || c.Hold == "" || !c.Until.After(time.Now()) {
		return errors.New("venue, hold and a future until are required")
	}
	return nil
}

// KeepUntil lets a diner who is running late keep the hold until a chosen
// time; the host stand shows it as a late-arrival record.
func (s *Service) KeepUntil(w http.ResponseWriter, r *http.Request) error {
	var cmd holdUntil
	if err := httpx.Decode(r, &cmd); err != nil {
		return err
	}
	name := cmd.Venue + ":" + cmd.Hold
	o, err := s.holds.Lookup(name)
	if err != nil {
		return err
	}
	raw, ok := o.Get()
	if !ok {
		return httpx.Status(http.StatusNotFound, "hold expired")
	}
	var h Hold
	if err := json.Unmarshal([]byte(raw), &h); err != nil {
		return err
	}
	h.ExpiresAt = cmd.Until
	if err := s.holds.PutJSON(name+":late", h, time.Until(cmd.Until)); err != nil { // EXPECT kvttl
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

type extendHold struct {
	Venue   string `json:"venue"`
	Hold    string `json:"hold"`
	Minutes int    `json:"minutes"`
}

func (c *extendHold) Validate() error {
	if c.Minutes < 1 || c.Minutes > 15 {
		return errors.New("minutes must be 1..15")
	}
	return nil
}

// Extend pushes a hold's expiry out while the diner is still typing.
func (s *Service) Extend(w http.ResponseWriter, r *http.Request) error {
	var cmd extendHold
	if err := httpx.Decode(r, &cmd); err != nil {
		return err
	}
	by := time.Duration(cmd.Minutes) * time.Minute
	cfg := s.cfg.Load()
	err := edgekv.UpdateJSON(s.holds, cmd.Venue+":"+cmd.Hold, cfg.HoldTTL+by, func(h *Hold) error {
		if h.ID == "" {
			return httpx.Status(http.StatusNotFound, "hold expired")
		}
		h.ExpiresAt = h.ExpiresAt.Add(by)
		return nil
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Confirm turns a hold into a booking and frees the slot key.
func (s *Service) Confirm(w http.ResponseWriter, r *http.Request) error {
	venue, id := r.PathValue("venue"), r.PathValue("hold")
	o, err := s.holds.Lookup(venue + ":" + id)
	if err != nil {
		return err
	}
	raw, ok := o.Get()
	if !ok {
		return httpx.Status(http.StatusGone, "hold expired")
	}
	var h Hold
	if err := json.Unmarshal([]byte(raw), &h); err != nil {
		return err
	}
	ttl := max(time.Until(h.ExpiresAt), time.Minute)
	h.DinerID = r.Header.Get("X-Diner")
	if err := s.holds.PutJSON(venue+":"+id+":confirmed", h, ttl); err != nil {
		return err
	}
	evt := events.BookingConfirmed{
		BookingID: h.ID, Venue: h.Venue, DinerID: h.DinerID,
		Date: h.Slot[:10], Covers: h.Covers, At: time.Now(),
	}
	if err := s.bus.Publish(r.Context(), evt); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, evt)
}

// StaffHolds lists the live holds of a venue for the host stand.
func (s *Service) StaffHolds(w http.ResponseWriter, r *http.Request) error {
	venue := r.PathValue("venue")
	res, err := s.holds.Page(venue+":", r.URL.Query().Get("cursor"))
	if err != nil {
		return err
	}
	out := make([]Hold, 0, len(res.Keys))
	for _, k := range res.Keys {
		raw, err := s.holds.Namespace().GetString(k.Name, nil) // EXPECT kvlist
		if err != nil || raw == "<null>" {
			continue
		}
		var h Hold
		if json.Unmarshal([]byte(raw), &h) == nil {
			out = append(out, h)
		}
	}
	return httpx.JSON(w, http.StatusOK, map[string]any{"holds": out, "cursor": res.Cursor, "done": res.ListComplete})
}

// HeldCovers reports how many covers are on hold for a venue, for the
// capacity banner.
func (s *Service) HeldCovers(w http.ResponseWriter, r *http.Request) error {
	venue := r.PathValue("venue")
	res, err := s.holds.Namespace().List(&kv.ListOptions{Prefix: s.holds.Prefix() + venue + ":"}) // EXPECT kvlist
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, map[string]int{"holds": len(res.Keys)})
}
