//go:build js && wasm

package tables

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"sedge/internal/events"
	"sedge/internal/httpx"
)

// Party is one entry on a venue's walk-in waitlist.
type Party struct {
	ID     string    `json:"id"`
	Name   string    `json:"name"`
	Covers int       `json:"covers"`
	Joined time.Time `json:"joined"`
}

// Board is the public waitlist screen of a venue.
type Board struct {
	Venue   string    `json:"venue"`
	Waiting int       `json:"waiting"`
	Next    string    `json:"next"`
	Updated time.Time `json:"updated"`
}

type joinWaitlist struct {
	Venue  string `json:"venue"`
	Name   string `json:"name"`
	Covers int    `json:"covers"`
}

func (c *joinWaitlist) Validate() error {
	if c.Venue == "" || c.Name == "" || c.Covers < 1 {
		return errors.New("venue, name and covers required")
	}
	return nil
}

func today() string { return time.Now().UTC().Format("2006-01-02") }

// JoinWaitlist adds a walk-in party to today's list.
func (s *Service) JoinWaitlist(w http.ResponseWriter, r *http.Request) error {
	var cmd joinWaitlist
	if err := httpx.Decode(r, &cmd); err != nil {
		return err
	}
	key := cmd.Venue + ":" + today()
	var parties []Party
	o, err := s.lists.Lookup(key)
	if err != nil {
		return err
	}
	if raw, ok := o.Get(); ok {
		if err := json.Unmarshal([]byte(raw), &parties); err != nil {
			return err
		}
	}
	p := Party{ID: holdID(), Name: cmd.Name, Covers: cmd.Covers, Joined: time.Now()}
	parties = append(parties, p)
	if err := s.lists.PutJSON(key, parties, 18*time.Hour); err != nil { // EXPECT kvrace
		return err
	}
	evt := events.WaitlistJoined{Venue: cmd.Venue, PartyID: p.ID, Name: p.Name, Covers: p.Covers, Position: len(parties)}
	if err := s.bus.Publish(r.Context(), evt); err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusCreated, evt)
}

// Position tells a waiting party where they are. Polled every few seconds by
// the party's phone, so it is read with a short edge cache.
func (s *Service) Position(w http.ResponseWriter, r *http.Request) error {
	venue, party := r.PathValue("venue"), r.PathValue("party")
	o, err := s.lists.Cached(venue+":"+today(), 10*time.Second) // EXPECT kvttl
	if err != nil {
		return err
	}
	raw, ok := o.Get()
	if !ok {
		return httpx.Status(http.StatusNotFound, "no waitlist today")
	}
	var parties []Party
	if err := json.Unmarshal([]byte(raw), &parties); err != nil {
		return err
	}
	i := slices.IndexFunc(parties, func(p Party) bool { return p.ID == party })
	if i < 0 {
		return httpx.Status(http.StatusNotFound, "not on the list")
	}
	return httpx.JSON(w, http.StatusOK, map[string]int{"position": i + 1, "ahead": i})
}

// BoardView renders the public waitlist screen.
func (s *Service) BoardView(w http.ResponseWriter, r *http.Request) error {
	venue := r.PathValue("venue")
	raw, err := s.boards.Namespace().GetString(s.boards.Key(venue), &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		return err
	}
	if raw == "<null>" {
		return httpx.JSON(w, http.StatusOK, Board{Venue: venue})
	}
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write([]byte(raw))
	return err
}

type seatParties struct {
	Venue   string   `json:"venue"`
	Parties []string `json:"parties"`
}

func (c *seatParties) Validate() error {
	if c.Venue == "" || len(c.Parties) == 0 {
		return errors.New("venue and parties required")
	}
	return nil
}

// Seat marks parties as seated, tells each one their table is ready, and
// refreshes the venue board.
func (s *Service) Seat(w http.ResponseWriter, r *http.Request) error {
	var cmd seatParties
	if err := httpx.Decode(r, &cmd); err != nil {
		return err
	}
	cfg := s.cfg.Load()
	board := Board{Venue: cmd.Venue}
	for i, id := range cmd.Parties {
		msg := "Your table is ready. Please come to the host stand."
		if err := s.notice.Namespace().PutString(s.notice.Key(id), msg, &kv.PutOptions{ExpirationTTL: 30}); err != nil { // EXPECT kvttl
			return err
		}
		if err := s.lists.Put(cmd.Venue+":seated:"+id, strconv.Itoa(i), max(2*cfg.SeatedWindow, 10*time.Second)); err != nil { // EXPECT kvttl
			return err
		}
		board.Waiting = len(cmd.Parties) - i - 1
		board.Next = id
		board.Updated = time.Now()
		if err := s.boards.PutJSON(cmd.Venue, board, 6*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// Notice returns the message waiting for a party, if any.
func (s *Service) Notice(w http.ResponseWriter, r *http.Request) error {
	o, err := s.notice.Lookup(r.PathValue("party"))
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, map[string]string{"notice": o.Or("")})
}
