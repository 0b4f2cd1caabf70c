//go:build js && wasm

// Package holds lets attendees reserve a seat in capacity-limited talks
// (workshops, hands-on labs) from the event app. A reservation starts as a
// provisional hold that the attendee confirms within a few minutes.
package holds

import (
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/confhub/puffin/internal/domain"
	"github.com/confhub/puffin/internal/edge"
	"github.com/confhub/puffin/internal/keys"
)

const offerGrace = 5 * time.Minute

var errFull = errors.New("holds: talk is full")

// sweepMarker tells the organiser dashboard how far the last sweep got.
var sweepMarker = keys.Root.Child("holds", "swept")

func talkKey(r *http.Request) keys.TalkKey {
	return keys.TalkKey{Event: r.FormValue("event"), Talk: r.FormValue("talk")}
}

// Reserve returns the handler behind "reserve a seat". holdFor is how long
// the attendee has to confirm.
func Reserve(b *edge.Bucket, holdFor time.Duration) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tk := talkKey(r)
		attendee := r.FormValue("attendee")
		talk, ok, err := edge.Load[domain.Talk](b, tk)
		if err != nil {
			http.Error(w, "lookup failed", http.StatusBadGateway)
			return
		}
		if !ok {
			http.NotFound(w, r)
			return
		}
		now := time.Now()
		if !now.Before(talk.StartsAt) {
			http.Error(w, "talk has started", http.StatusConflict)
			return
		}
		left, err := adjustSeats(b, tk, -1)
		if errors.Is(err, errFull) {
			http.Error(w, "talk is full, join the waitlist", http.StatusConflict)
			return
		} else if err != nil {
			http.Error(w, "reservation failed", http.StatusBadGateway)
			return
		}
		h := domain.Hold{
			Event: tk.Event, Talk: tk.Talk, Attendee: attendee,
			Created: now, Expires: now.Add(holdFor),
		}
		raw, _ := json.Marshal(h)
		hk := keys.HoldKey{Event: tk.Event, Talk: tk.Talk, Attendee: attendee}
		if err := b.Put(hk, string(raw), time.Until(talk.StartsAt)); err != nil { // EXPECT kvttl
			http.Error(w, "reservation failed", http.StatusBadGateway)
			return
		}
		if err := editHolds(b, tk, func(m map[string]domain.Hold) { m[attendee] = h }); err != nil {
			log.Printf("holds: index %s: %v", tk, err)
		}
		writeJSON(w, http.StatusCreated, map[string]any{"hold": h, "seats_left": left})
	}
}

// Confirm turns a provisional hold into a seat.
func Confirm(b *edge.Bucket) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tk := talkKey(r)
		hk := keys.HoldKey{Event: tk.Event, Talk: tk.Talk, Attendee: r.FormValue("attendee")}
		raw, ok, err := b.Get(hk)
		if err != nil {
			http.Error(w, "lookup failed", http.StatusBadGateway)
			return
		}
		if !ok {
			http.Error(w, "no hold", http.StatusNotFound)
			return
		}
		var h domain.Hold
		if err := json.Unmarshal([]byte(raw), &h); err != nil {
			http.Error(w, "hold unreadable", http.StatusInternalServerError)
			return
		}
		if time.Now().After(h.Expires) {
			http.Error(w, "hold expired", http.StatusGone)
			return
		}
		talk, _, err := edge.Load[domain.Talk](b, tk)
		if err != nil {
			http.Error(w, "lookup failed", http.StatusBadGateway)
			return
		}
		h.Confirmed = true
		out, _ := json.Marshal(h)
		if err := b.Remember(hk, string(out), time.Until(talk.EndsAt)); err != nil { // EXPECT kvrace
			http.Error(w, "confirmation failed", http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// Release gives a seat back.
func Release(b *edge.Bucket) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tk := talkKey(r)
		attendee := r.FormValue("attendee")
		if err := release(b, tk, attendee); err != nil {
			http.Error(w, "release failed", http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func release(b *edge.Bucket, tk keys.TalkKey, attendee string) error {
	hk := keys.HoldKey{Event: tk.Event, Talk: tk.Talk, Attendee: attendee}
	if err := b.Delete(hk); err != nil {
		return err
	}
	if err := editHolds(b, tk, func(m map[string]domain.Hold) { delete(m, attendee) }); err != nil {
		return err
	}
	_, err := adjustSeats(b, tk, +1)
	return err
}

// Offer gives the next attendee on the waitlist a seat that freed up. The
// offer lapses shortly before the talk starts.
func Offer(b *edge.Bucket) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tk := talkKey(r)
		attendee := r.FormValue("attendee")
		talk, ok, err := edge.Load[domain.Talk](b, tk)
		if err != nil || !ok {
			http.Error(w, "talk not found", http.StatusNotFound)
			return
		}
		offer := keys.HoldKey{Event: tk.Event, Talk: tk.Talk, Attendee: attendee}
		h := domain.Hold{Event: tk.Event, Talk: tk.Talk, Attendee: attendee, Created: time.Now(), Expires: talk.StartsAt.Add(-offerGrace)}
		raw, _ := json.Marshal(h)
		if err := b.Put(offer, string(raw), max(time.Until(talk.StartsAt)-offerGrace, 10*time.Second)); err != nil { // EXPECT kvttl
			http.Error(w, "offer failed", http.StatusBadGateway)
			return
		}
		writeJSON(w, http.StatusCreated, h)
	}
}

// Roster returns one page of the holds of a talk for the instructor view.
func Roster(b *edge.Bucket) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		tk := talkKey(r)
		scope := keys.Event(tk.Event).Child("hold", tk.Talk)
		res, err := b.ListPage(scope, r.FormValue("cursor"), 2000) // EXPECT kvlimits
		if err != nil {
			http.Error(w, "list failed", http.StatusBadGateway)
			return
		}
		names := make([]string, 0, len(res.Keys))
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		next := ""
		if !res.ListComplete {
			next = res.Cursor
		}
		writeJSON(w, http.StatusOK, map[string]any{"holds": names, "cursor": next})
	}
}

// adjustSeats moves the seats-left figure of a talk by delta.
func adjustSeats(b *edge.Bucket, tk keys.TalkKey, delta int) (int, error) {
	raw, ok, err := b.Get(tk.Seats())
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("talk %s: seats not initialised", tk)
	}
	left, err := strconv.Atoi(raw)
	if err != nil {
		return 0, fmt.Errorf("talk %s: seats: %w", tk, err)
	}
	if left+delta < 0 {
		return 0, errFull
	}
	left += delta
	return left, b.Put(tk.Seats(), strconv.Itoa(left), 0) // EXPECT kvcounter
}

// editHolds applies edit to the hold map of a talk, which the instructor
// view shows in one read.
func editHolds(b *edge.Bucket, tk keys.TalkKey, edit func(map[string]domain.Hold)) error {
	raw, err := b.Namespace().GetString(tk.Holds().String(), nil)
	if err != nil {
		return err
	}
	holds := map[string]domain.Hold{}
	if raw != "" && raw != "null" { // EXPECT kvnull
		if err := json.Unmarshal([]byte(raw), &holds); err != nil {
			return fmt.Errorf("holds %s: %w", tk, err)
		}
	}
	edit(holds)
	out, err := json.Marshal(holds)
	if err != nil {
		return err
	}
	return b.Put(tk.Holds(), string(out), 0) // EXPECT kvrace
}

// Sweep releases provisional holds of an event that were not confirmed in
// time. It runs from the Worker's cron trigger.
func Sweep(b *edge.Bucket, event string) (int, error) {
	now := time.Now()
	scope := keys.Event(event).Child("hold")
	released := 0
	cursor := ""
	for {
		res, err := b.ListPage(scope, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return released, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			raw, err := b.Namespace().GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return released, err
			}
			if raw == "<null>" {
				continue
			}
			var h domain.Hold
			if err := json.Unmarshal([]byte(raw), &h); err != nil {
				log.Printf("holds: sweep %s: %v", k.Name, err)
				continue
			}
			if h.Confirmed || h.Expires.After(now) {
				continue
			}
			if err := release(b, keys.TalkKey{Event: h.Event, Talk: h.Talk}, h.Attendee); err != nil {
				return released, err
			}
			released++
			if err := b.Put(sweepMarker, k.Name, 0); err != nil { // EXPECT kvhotkey
				log.Printf("holds: sweep marker: %v", err)
			}
		}
		if cursor = res.Cursor; cursor == "" {
			break
		}
	}
	return released, nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
