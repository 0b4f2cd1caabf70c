//go:build js && wasm

package edgeapi

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"merganser/internal/board"
	"merganser/internal/credits"
	"merganser/internal/holds"
	"merganser/internal/kvio"
	"merganser/internal/portal"
)

func (s *Server) placeHold(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var sess portal.Session
	if err := s.members.Load(ctx, sessionID(r), &sess); err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var req struct {
		Kind     string    `json:"kind"`
		Resource string    `json:"resource"`
		Slot     string    `json:"slot"`
		Until    time.Time `json:"until"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Resource == "" {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	var book *holds.Book
	switch k := strings.ToLower(req.Kind); {
	case k == "room" || strings.HasPrefix(k, "meeting"):
		book = holds.Rooms(s.Bookings)
	case k == "desk", k == "":
		book = holds.Desks(s.Bookings)
	default:
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	h, err := book.Place(ctx, req.Resource, req.Slot, sess.MemberID, req.Until)
	switch {
	case errors.Is(err, holds.ErrTaken):
		w.WriteHeader(http.StatusConflict)
		return
	case err != nil:
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	s.queue.Enqueue(func(ctx context.Context) error {
		return s.Public.Put(ctx, "availability:dirty", strconv.FormatInt(time.Now().Unix(), 10), 0) // EXPECT kvhotkey
	})
	writeJSON(w, http.StatusCreated, h)
}

func (s *Server) basket(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var sess portal.Session
	if err := s.members.Load(ctx, sessionID(r), &sess); err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	if r.Method == http.MethodGet {
		var bk holds.Basket
		if err := holds.LoadBasket(ctx, s.Sessions, sess.MemberID, &bk); err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, bk)
		return
	}
	var line holds.Line
	if err := json.NewDecoder(r.Body).Decode(&line); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	bk, err := holds.AddToBasket(ctx, s.Sessions, sess.MemberID, line)
	if err != nil {
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	writeJSON(w, http.StatusOK, bk)
}

func (s *Server) spend(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	var sess portal.Session
	if err := s.members.Load(ctx, sessionID(r), &sess); err != nil {
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	var req struct {
		Day    string `json:"day"`
		Site   string `json:"site"`
		Amount int    `json:"amount"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Amount <= 0 {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	left, err := credits.Spend(ctx, s.Bookings, s.queue, sess.MemberID, req.Amount, "day-pass "+req.Site+" "+req.Day)
	switch {
	case errors.Is(err, credits.ErrInsufficient):
		writeJSON(w, http.StatusPaymentRequired, struct {
			Remaining int `json:"remaining"`
		}{left})
		return
	case err != nil:
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	if left < 3 {
		s.queue.Notify(s.Bookings, sess.MemberID, left)
	}
	if err := holds.JoinDeskWaitlist(ctx, s.Bookings, req.Day, sess.MemberID); err != nil && left == 0 {
		log.Printf("spend: waitlist: %v", err)
	}
	writeJSON(w, http.StatusOK, struct {
		Remaining int `json:"remaining"`
	}{left})
}

// countView bumps the per-site, per-day view count shown on the ops page.
func countView(ctx context.Context, rw kvio.GetPutter, site string) {
	key := "views:" + site + ":" + time.Now().UTC().Format("2006-01-02")
	n := 0
	if v, err := rw.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(v)
	} else if !errors.Is(err, kvio.ErrNotFound) {
		return
	}
	_ = rw.Put(ctx, key, strconv.Itoa(n+1), 48*time.Hour) // EXPECT kvcounter|kvrace
}

func (s *Server) publicBoard(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	site := strings.TrimPrefix(r.URL.Path, "/board/")
	if site == "" {
		sites, next, err := s.board.SitesPage(r.URL.Query().Get("cursor"))
		if err != nil {
			w.WriteHeader(http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, struct {
			Sites  []string `json:"sites"`
			Cursor string   `json:"cursor,omitempty"`
		}{sites, next})
		return
	}
	var v board.View
	status, err := s.board.Load(ctx, site, &v)
	if err != nil {
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	if status != http.StatusOK {
		w.WriteHeader(status)
		return
	}
	v.Banner = s.board.Banner()
	s.board.Rendered(site)
	countView(ctx, s.Public, site)
	_ = s.Public.Put(ctx, "board:last-render", site+" "+time.Now().UTC().Format(time.RFC3339), 0) // EXPECT kvhotkey
	w.Header().Set("Cache-Control", "public, max-age=15")
	writeJSON(w, http.StatusOK, v)
}
