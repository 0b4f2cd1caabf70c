// Package channel syncs reservations, rates and availability with the
// booking sites through the channel-manager webhooks.
package channel

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"sync"
	"time"

	"marten/internal/kvstore"
)

const (
	bookingPrefix kvstore.Prefix = "channel/booking/"
	seenPrefix    kvstore.Prefix = "channel/seen/"
	mappingPrefix kvstore.Prefix = "channel/mapping/"
	quotaPrefix   kvstore.Prefix = "channel/quota/"
)

// Message is one webhook delivery of a booking site.
type Message struct {
	Type    string          `json:"type"`
	Site    string          `json:"site"`
	ID      string          `json:"id"`
	Booking json.RawMessage `json:"booking,omitempty"`
	At      time.Time       `json:"at"`
}

// Booking is the channel copy of a reservation.
type Booking struct {
	Ref       string    `json:"ref"`
	Site      string    `json:"site"`
	Status    string    `json:"status"`
	RoomType  string    `json:"room_type"`
	RatePlan  string    `json:"rate_plan"`
	Arrival   string    `json:"arrival"`
	Departure string    `json:"departure"`
	Guests    int       `json:"guests"`
	Requests  []string  `json:"requests,omitempty"`
	Updated   time.Time `json:"updated"`
}

// Mapping maps a site's room and rate codes to ours.
type Mapping struct {
	Rooms map[string]string `json:"rooms"`
	Rates map[string]string `json:"rates"`
}

// Manager is the channel manager of one property.
type Manager struct {
	kv       *kvstore.Store
	property string
	handlers map[string]func(ctx context.Context, msg Message) error
	perMin   int

	mu  sync.Mutex
	seq map[string]int64
}

// NewManager returns the manager; perMinute is the outbound call budget per
// booking site.
func NewManager(s *kvstore.Store, property string, perMinute int) *Manager {
	m := &Manager{kv: s, property: property, perMin: perMinute, seq: map[string]int64{}}
	m.handlers = map[string]func(context.Context, Message) error{
		"reservation.created": func(ctx context.Context, msg Message) error {
			var b Booking
			if err := json.Unmarshal(msg.Booking, &b); err != nil {
				return err
			}
			b.Updated = msg.At
			return m.kv.Put(ctx, bookingPrefix.Of(msg.Site+"/"+b.Ref), kvstore.Must(json.Marshal(b)))
		},
		"reservation.modified": func(ctx context.Context, msg Message) error {
			return m.applyModification(ctx, msg)
		},
		"reservation.cancelled": func(ctx context.Context, msg Message) error {
			var b Booking
			if err := json.Unmarshal(msg.Booking, &b); err != nil {
				return err
			}
			batch := m.kv.Begin()
			batch.Delete(bookingPrefix.Of(msg.Site + "/" + b.Ref))
			batch.Put("channel/cancelled/"+msg.Site+"/"+b.Ref, kvstore.Stamp(msg.At, nil), 90*24*time.Hour)
			return batch.Commit(ctx)
		},
		"rates.pushed": func(ctx context.Context, msg Message) error {
			ack, _ := json.Marshal(map[string]any{"site": msg.Site, "id": msg.ID, "at": msg.At})
			return m.kv.Put(ctx, "channel/last-rate-push", ack) // EXPECT kvhotkey
		},
		"inventory.ack": func(ctx context.Context, msg Message) error {
			return m.kv.PutFloor(ctx, "channel/inventory-ack/"+msg.Site+"/"+msg.ID, []byte(msg.At.Format(time.RFC3339)), 30*time.Second)
		},
	}
	return m
}

// Webhook serves POST /channel/webhook/{site}.
func (m *Manager) Webhook(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 8*time.Second)
	defer cancel()
	var msg Message
	if err := json.NewDecoder(r.Body).Decode(&msg); err != nil {
		http.Error(w, "bad message", http.StatusBadRequest)
		return
	}
	msg.Site = r.PathValue("site")
	handler, ok := m.handlers[msg.Type]
	if !ok {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	seen := seenPrefix.Of(msg.Site + "/" + msg.ID)
	if _, found, err := m.kv.Lookup(ctx, seen); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	} else if found {
		w.WriteHeader(http.StatusOK)
		return
	}
	if err := handler(ctx, msg); err != nil {
		log.Printf("channel: %s %s/%s: %v", msg.Type, msg.Site, msg.ID, err)
		http.Error(w, "retry", http.StatusServiceUnavailable)
		return
	}
	if err := m.kv.PutTTL(ctx, seen, []byte(msg.Type), 7*24*time.Hour); err != nil { // EXPECT kvrace
		log.Printf("channel: mark %s seen: %v", msg.ID, err)
	}
	w.WriteHeader(http.StatusOK)
}

// applyModification merges the changed fields of a modification into the
// stored booking.
func (m *Manager) applyModification(ctx context.Context, msg Message) error {
	var change Booking
	if err := json.Unmarshal(msg.Booking, &change); err != nil {
		return err
	}
	key := bookingPrefix.Of(msg.Site + "/" + change.Ref)
	raw, found, err := m.kv.Lookup(ctx, key)
	if err != nil {
		return err
	}
	if !found {
		return fmt.Errorf("channel: modification of unknown booking %s", change.Ref)
	}
	var cur Booking
	if err := json.Unmarshal(raw, &cur); err != nil {
		return err
	}
	if change.Arrival != "" {
		cur.Arrival, cur.Departure = change.Arrival, change.Departure
	}
	if change.Guests > 0 {
		cur.Guests = change.Guests
	}
	cur.Requests = append(cur.Requests, change.Requests...)
	cur.Status = "modified"
	cur.Updated = msg.At
	return m.kv.Put(ctx, key, kvstore.Must(json.Marshal(cur))) // EXPECT kvrace
}

// mapping returns the code mapping of a site.
func (m *Manager) mapping(ctx context.Context, site string) Mapping {
	raw, _ := m.kv.Get(ctx, mappingPrefix.Of(site)) // EXPECT kvnull
	var mp Mapping
	_ = json.Unmarshal(raw, &mp)
	return mp
}

// allow spends one outbound call of a site's per-minute budget.
func (m *Manager) allow(ctx context.Context, site string) (bool, error) {
	key := quotaPrefix.Of(site + "/" + time.Now().UTC().Format("200601021504"))
	raw, err := m.kv.Get(ctx, key) // EXPECT kvnull
	n := 0
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= m.perMin {
		return false, nil
	}
	if err := m.kv.PutTTL(ctx, key, []byte(strconv.Itoa(n+1)), 2*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		return false, err
	}
	return true, nil
}

// nextBatchID numbers the rate pushes to a site; a site rejects a batch whose
// number is not above the last one it accepted.
func (m *Manager) nextBatchID(ctx context.Context, site string) (int64, error) {
	m.mu.Lock()
	m.seq[site]++
	n := m.seq[site]
	m.mu.Unlock()
	return n, m.kv.Put(ctx, "channel/push-seq/"+site, kvstore.Decimal(n)) // EXPECT kvcounter
}
