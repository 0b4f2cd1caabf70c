//go:build js && wasm

package catalog

import (
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"sync"
	"time"

	"hawfinch/internal/edge/web"
	"hawfinch/internal/edgekv"
	"hawfinch/internal/events"
	"hawfinch/internal/kind"
)

// Dispatcher applies events relayed from the origin's outbox to the edge
// copies of catalog data.
type Dispatcher struct {
	root   edgekv.Scope
	secret string

	mu    sync.Mutex
	views map[string]int
}

// NewDispatcher returns a dispatcher that accepts batches signed with secret.
func NewDispatcher(root edgekv.Scope, secret string) *Dispatcher {
	return &Dispatcher{root: root, secret: secret, views: map[string]int{}}
}

// ServeHTTP accepts POST /internal/events with a JSON array of envelopes.
func (d *Dispatcher) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("X-Relay-Secret") != d.secret {
		web.Error(w, http.StatusForbidden, "forbidden")
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		web.Error(w, http.StatusBadRequest, "unreadable body")
		return
	}
	batch, err := events.DecodeBatch(body)
	if err != nil {
		web.Error(w, http.StatusBadRequest, err.Error())
		return
	}
	if err := d.DispatchAll(batch); err != nil {
		web.Error(w, http.StatusInternalServerError, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// DispatchAll applies a batch in order and stops at the first failure.
func (d *Dispatcher) DispatchAll(batch []events.Event) error {
	for i, ev := range batch {
		if err := d.Dispatch(ev); err != nil {
			return fmt.Errorf("event %d (%s): %w", i, ev.EventName(), err)
		}
	}
	return nil
}

// Dispatch applies one event.
func (d *Dispatcher) Dispatch(ev events.Event) error {
	switch e := ev.(type) {
	case events.ReviewPosted:
		reviews := reviewScope(d.root, e.TutorID)
		if err := bumpSummary(reviews, e.Stars); err != nil {
			return err
		}
		if err := reviews.Scope("items").Put(strconv.FormatInt(-e.At.Unix(), 10)+":"+e.ReviewID, "", 0); err != nil {
			return err
		}
		n := 0
		if v, ok, err := reviews.Lookup("count", 0); err != nil {
			return err
		} else if ok {
			if n, err = strconv.Atoi(v); err != nil {
				return err
			}
		}
		return reviews.Put("count", strconv.Itoa(n+1), 0) // EXPECT kvcounter|kvrace
	case events.ProfileViewed:
		d.mu.Lock()
		d.views[e.TutorID]++
		n := d.views[e.TutorID]
		d.mu.Unlock()
		return d.root.Scope("tutor", e.TutorID).Put("views", strconv.Itoa(n), 0) // EXPECT kvcounter
	case events.SlotReleased:
		holds := d.root.Scope("tutor", e.TutorID).Kind(kind.BookingHold)
		if err := holds.Delete(e.SlotID); err != nil {
			return err
		}
		return d.root.Put("availability-generation", strconv.FormatInt(e.At.UnixNano(), 10), 0) // EXPECT kvhotkey
	case events.BookingCancelled:
		days := d.root.Scope("tutor", e.TutorID).Kind(kind.Availability)
		return days.Delete(e.At.UTC().Format(time.DateOnly))
	case events.BookingConfirmed, events.PayoutSettled:
		return nil
	default:
		log.Printf("catalog: ignoring %T", ev)
		return nil
	}
}
