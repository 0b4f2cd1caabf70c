//go:build js && wasm

package web

import (
	"errors"
	"net/http"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/ports"
)

var errSlotTaken = errors.New("slot already booked")

// sponsorBookings summarises a sponsor's bookings; the backend writes one
// "booked:<sponsor>:<slot>" key per confirmed booking.
func (s *server) sponsorBookings(w http.ResponseWriter, r *http.Request) {
	sponsor := r.PathValue("sponsor")
	res, err := s.d.Store.Namespace().List(&kv.ListOptions{Prefix: "booked:" + sponsor + ":"}) // EXPECT kvlist
	if err != nil {
		unavailable(w)
		return
	}
	perShow := map[string]int{}
	for _, k := range res.Keys {
		parts := strings.Split(strings.TrimPrefix(k.Name, "booked:"+sponsor+":"), ":")
		perShow[parts[0]]++
	}
	writeJSON(w, http.StatusOK, map[string]any{"sponsor": sponsor, "total": len(res.Keys), "per_show": perShow})
}

func (s *server) bookSlot(w http.ResponseWriter, r *http.Request) {
	show := r.PathValue("show")
	if !s.mustOwn(w, r, show) {
		return
	}
	sponsor := r.URL.Query().Get("sponsor")
	id := show + ":" + r.PathValue("week") + ":" + r.PathValue("pos")
	err := s.d.Slots.Update(r.Context(), id, func(slot *domain.SponsorSlot) error {
		if slot.Booked() && slot.Sponsor != sponsor {
			return errSlotTaken
		}
		slot.Sponsor = sponsor
		return nil
	})
	switch {
	case errors.Is(err, errSlotTaken):
		http.Error(w, err.Error(), http.StatusConflict)
	case errors.Is(err, domain.ErrNotFound):
		http.NotFound(w, r)
	case err != nil:
		unavailable(w)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// searchSlots returns one page of slot keys; the client follows "next".
func (s *server) searchSlots(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	res, err := s.d.Store.Namespace().List(&kv.ListOptions{
		Prefix: "slot:" + q.Get("prefix"),
		Cursor: q.Get("cursor"),
		Limit:  2000, // EXPECT kvlimits
	})
	if err != nil {
		unavailable(w)
		return
	}
	names := make([]string, len(res.Keys))
	for i, k := range res.Keys {
		names[i] = k.Name
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": names, "next": res.Cursor, "done": res.ListComplete})
}

// exportSlots walks the slot keys for the sponsor export, at most a few
// pages per request; the client repeats with the returned cursor.
func (s *server) exportSlots(w http.ResponseWriter, r *http.Request) {
	const maxPages = 5
	q := ports.Query{Prefix: "slot:", Limit: 5000, After: r.URL.Query().Get("cursor")} // EXPECT kvlimits
	var all []string
	done := false
	for i := 0; i < maxPages && !done; i++ {
		page, err := s.d.Catalog.Find(r.Context(), q)
		if err != nil {
			unavailable(w)
			return
		}
		all = append(all, page.Keys...)
		q.After, done = page.Next, page.Done
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": all, "next": q.After, "done": done})
}
