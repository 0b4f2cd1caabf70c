//go:build js && wasm

package main

import (
	"encoding/json"
	"fmt"
	"log"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"github.com/syumai/workers/cloudflare/queues"

	"junco/internal/config"
	"junco/internal/edgekv"
	"junco/internal/keys"
)

// noShowEvent is published by the backend when a host marks a party as a
// no-show.
type noShowEvent struct {
	GuestID       string    `json:"guest_id"`
	ReservationID string    `json:"reservation_id"`
	PriorNoShows  int       `json:"prior_no_shows"`
	MarkedAt      time.Time `json:"marked_at"`
}

type guestProfile struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	NoShows  []string `json:"no_shows"`
	Flagged  bool     `json:"flagged"`
	LastSeen string   `json:"last_seen"`
}

type noShowConsumer struct {
	binding string
	cfg     config.Config
}

func (c noShowConsumer) consume(batch *queues.MessageBatch) error {
	st, err := edgekv.Open(c.binding)
	if err != nil {
		return err
	}
	ns := st.Namespace()
	events := make([]noShowEvent, 0, len(batch.Messages))
	for _, msg := range batch.Messages {
		body, err := msg.StringBody()
		if err != nil {
			msg.Ack()
			continue
		}
		var ev noShowEvent
		if err := json.Unmarshal([]byte(body), &ev); err != nil {
			log.Printf("drop malformed message %s: %v", msg.ID, err)
			msg.Ack()
			continue
		}
		events = append(events, ev)
		count := strconv.Itoa(ev.PriorNoShows + 1)
		if err := ns.PutString(keys.NoShowCount(ev.GuestID), count, nil); err != nil { // EXPECT kvcounter
			msg.Retry()
			continue
		}
		if err := c.flagGuest(st, ev); err != nil {
			msg.Retry()
			continue
		}
		_ = ns.PutString(keys.NoShowQueueCursor, msg.ID, nil) // EXPECT kvhotkey
		msg.Ack()
	}
	return c.markSeen(ns, events)
}

// flagGuest records the reservation on the guest profile.
func (c noShowConsumer) flagGuest(st *edgekv.Store, ev noShowEvent) (err error) {
	key := keys.GuestProfile(ev.GuestID)
	var p guestProfile
	found, err := st.GetJSON(key, &p)
	if err != nil {
		return err
	}
	if !found {
		p = guestProfile{ID: ev.GuestID}
	}
	defer func() {
		if err != nil {
			return
		}
		p.NoShows = append(p.NoShows, ev.ReservationID)
		p.Flagged = len(p.NoShows) >= 2
		err = st.PutJSON(key, p, 0) // EXPECT kvrace
	}()
	p.LastSeen = ev.MarkedAt.Format(keys.DayFormat)
	return nil
}

// markSeen writes a short-lived dedupe marker per reservation so that a
// redelivered batch is not counted twice.
func (c noShowConsumer) markSeen(ns *kv.Namespace, events []noShowEvent) error {
	if len(events) == 0 {
		return nil
	}
	first, last := events[0].MarkedAt, events[len(events)-1].MarkedAt
	window := last.Sub(first)
	ttl := max(2*window, 3*time.Second)
	for _, ev := range events {
		key := fmt.Sprintf("noshow:seen:%s", ev.ReservationID)
		if err := ns.PutString(key, "1", &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}); err != nil { // EXPECT kvttl
			return err
		}
	}
	return nil
}
