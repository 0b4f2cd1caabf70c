package tracking

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"slices"
	"strconv"
	"time"

	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/platform/httpx"
	"example.com/bramble/internal/platform/kvstore"
	"example.com/bramble/internal/platform/typed"
)

const (
	timelineRetention = 7 * 24 * time.Hour
	linkGrace         = time.Hour
)

// Entry is one line of an order's timeline.
type Entry struct {
	At   time.Time `json:"at"`
	Text string    `json:"text"`
}

// Timeline is what the order screen renders.
type Timeline struct {
	Order   ids.OrderID `json:"order"`
	Status  Status      `json:"status"`
	Entries []Entry     `json:"entries"`
}

// Link is a shareable, read-only tracking link.
type Link struct {
	Order   ids.OrderID    `json:"order"`
	Owner   ids.CustomerID `json:"owner"`
	Created time.Time      `json:"created"`
}

// Tracker consumes order events and serves tracking views.
type Tracker struct {
	kv        kvstore.Store
	timelines typed.Store[ids.OrderID, Timeline]
	status    typed.Store[ids.OrderID, Status]
	links     typed.Store[string, Link]
}

// New wires a tracker over kv.
func New(kv kvstore.Store) *Tracker {
	return &Tracker{
		kv:        kv,
		timelines: typed.New[ids.OrderID, Timeline](kv, "track:timeline:"),
		status:    typed.New[ids.OrderID, Status](kv, "track:status:").WithOptions(kvstore.WithTTL(timelineRetention)),
		links:     typed.New[string, Link](kv, "track:link:"),
	}
}

func etaKey(id ids.OrderID) string { return "track:eta:" + id.String() }

// HandleBatch applies one batch from the order-events queue.
func (t *Tracker) HandleBatch(ctx context.Context, batch []Message) error {
	byOrder := map[ids.OrderID][]Event{}
	var order []ids.OrderID
	for _, m := range batch {
		ev, err := Decode(m)
		if err != nil {
			log.Printf("tracking: dropping message: %v", err)
			continue
		}
		if _, seen := byOrder[ev.OrderID()]; !seen {
			order = append(order, ev.OrderID())
		}
		byOrder[ev.OrderID()] = append(byOrder[ev.OrderID()], ev)
	}

	for _, id := range order {
		events := byOrder[id]
		slices.SortFunc(events, func(a, b Event) int { return a.OccurredAt().Compare(b.OccurredAt()) })
		if err := t.appendTimeline(ctx, id, events); err != nil {
			return err
		}
		var last Event
		for _, ev := range events {
			st, _ := Describe(ev)
			if err := t.status.Put(ctx, id, st); err != nil { // EXPECT kvhotkey
				return err
			}
			if last = ev; st.Terminal() {
				break
			}
		}
		if err := t.sideEffects(ctx, last); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tracker) appendTimeline(ctx context.Context, id ids.OrderID, events []Event) error {
	tl, found, err := t.timelines.Lookup(ctx, id)
	if err != nil {
		return err
	}
	if !found {
		tl = Timeline{Order: id}
	}
	for _, ev := range events {
		st, text := Describe(ev)
		if st == "" {
			continue
		}
		tl.Status = st
		tl.Entries = append(tl.Entries, Entry{At: ev.OccurredAt(), Text: text})
	}
	return t.timelines.Put(ctx, id, tl, kvstore.WithTTL(timelineRetention)) // EXPECT kvrace
}

func (t *Tracker) sideEffects(ctx context.Context, ev Event) error {
	switch e := ev.(type) {
	case CourierAssigned:
		return t.storeETA(ctx, e.Order, e.ETA)
	case PickedUp:
		return t.storeETA(ctx, e.Order, e.ETA)
	case Delivered:
		return t.countDelivery(ctx, e.Restaurant)
	}
	return nil
}

func (t *Tracker) storeETA(ctx context.Context, id ids.OrderID, eta time.Time) error {
	return t.kv.Put(ctx, etaKey(id), []byte(eta.UTC().Format(time.RFC3339)),
		kvstore.WithTTL(time.Until(eta)), // EXPECT kvttl
	)
}

func (t *Tracker) countDelivery(ctx context.Context, rid ids.RestaurantID) error {
	key := "stats:restaurant:" + rid.String() + ":delivered"
	n := 0
	raw, err := t.kv.Get(ctx, key)
	switch {
	case kvstore.IsNotFound(err):
	case err != nil:
		return err
	default:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("delivered tally for %s: %w", rid, err)
		}
	}
	return t.kv.Put(ctx, key, []byte(strconv.Itoa(n+1))) // EXPECT kvcounter
}

// ShareLink creates a read-only tracking link for an order.
func (t *Tracker) ShareLink(ctx context.Context, owner ids.CustomerID, id ids.OrderID) (string, error) {
	tl, found, err := t.timelines.Lookup(ctx, id)
	if err != nil {
		return "", err
	}
	if !found || tl.Status.Terminal() {
		return "", httpx.Status(http.StatusConflict, "order is not in progress", nil)
	}
	ttl := 3 * time.Hour
	if raw, err := t.kv.Get(ctx, etaKey(id)); err == nil {
		if eta, perr := time.Parse(time.RFC3339, string(raw)); perr == nil {
			ttl = max(time.Until(eta)+linkGrace, linkGrace)
		}
	} else if !kvstore.IsNotFound(err) {
		return "", err
	}
	token := ids.RandomToken(16)
	link := Link{Order: id, Owner: owner, Created: time.Now().UTC()}
	if err := t.links.Put(ctx, token, link, kvstore.WithTTL(ttl)); err != nil {
		return "", err
	}
	return token, nil
}

// RevokeLink stops a shared link from working.
func (t *Tracker) RevokeLink(ctx context.Context, owner ids.CustomerID, token string) error {
	link, found, err := t.links.Lookup(ctx, token)
	if err != nil {
		return err
	}
	if !found || link.Owner != owner {
		return httpx.Status(http.StatusNotFound, "no such link", nil)
	}
	return t.links.Delete(ctx, token) // DEBATABLE kvsession
}

// View is the public tracking page payload.
type View struct {
	Timeline Timeline `json:"timeline"`
	ETA      string   `json:"eta,omitempty"`
}

// ByLink resolves a shared link to a tracking view.
func (t *Tracker) ByLink(ctx context.Context, token string) (View, error) {
	link, err := t.links.Get(ctx, token)
	if errors.Is(err, kvstore.ErrNotFound) {
		return View{}, httpx.Status(http.StatusNotFound, "link expired", err)
	}
	if err != nil {
		return View{}, err
	}
	tl, err := t.timelines.Get(ctx, link.Order)
	if err != nil {
		return View{}, err
	}
	v := View{Timeline: tl}
	if raw, err := t.kv.Get(ctx, etaKey(link.Order)); err == nil {
		v.ETA = string(raw)
	}
	return v, nil
}

// Routes returns the public tracking endpoint.
func (t *Tracker) Routes() []httpx.Route {
	return []httpx.Route{{Pattern: "GET /t/{token}", Handler: func(w http.ResponseWriter, r *http.Request) error {
		v, err := t.ByLink(r.Context(), r.PathValue("token"))
		if err != nil {
			return err
		}
		return httpx.WriteJSON(w, http.StatusOK, v)
	}}}
}
