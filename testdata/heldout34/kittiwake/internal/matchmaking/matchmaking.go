//go:build js && wasm

// Package matchmaking holds players' search tickets at the edge. The match
// service reads them over the REST API and groups them into matches.
package matchmaking

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kittiwake/internal/config"
	"kittiwake/internal/edgekv"
	"kittiwake/internal/keys"
)

// Ticket is a player's search for a match.
type Ticket struct {
	Player   string    `json:"player"`
	Mode     string    `json:"mode"`
	Region   string    `json:"region"`
	Skill    int       `json:"skill"`
	Created  time.Time `json:"created"`
	Deadline time.Time `json:"deadline"`
}

// Queue stores tickets.
type Queue struct {
	edgekv.Base
	cfg config.MatchConfig
}

// New returns a Queue over ns.
func New(ns *kv.Namespace, cfg config.MatchConfig) *Queue {
	return &Queue{Base: edgekv.Base{NS: ns}, cfg: cfg}
}

func ticketKey(t *Ticket) string {
	return keys.KindTicket.Key(t.Mode, t.Region, t.Player)
}

// Enqueue starts a search.
func (q *Queue) Enqueue(t *Ticket) error {
	t.Created = time.Now().UTC()
	t.Deadline = t.Created.Add(q.cfg.SearchWindow)
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	opts := &kv.PutOptions{Expiration: int(t.Deadline.UnixMilli())} // EXPECT kvttl
	return q.NS.PutString(ticketKey(t), string(raw), opts)
}

// Widen extends a search that found nobody, relaxing the skill window.
func (q *Queue) Widen(t *Ticket) error {
	window := time.Until(t.Deadline)
	t.Deadline = time.Now().Add(2 * window)
	t.Skill -= t.Skill % 50
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	opts := &kv.PutOptions{ExpirationTTL: int(max(2*window, 3*time.Second).Seconds())} // EXPECT kvttl
	return q.NS.PutString(ticketKey(t), string(raw), opts)
}

// Requeue puts a ticket back after its match fell through.
func (q *Queue) Requeue(t *Ticket) error {
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	ttl := time.Until(t.Deadline)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return q.Store(ticketKey(t), string(raw), ttl)
}

// Cancel stops a search.
func (q *Queue) Cancel(mode, region, player string) error {
	return q.Remove(keys.KindTicket.Key(mode, region, player))
}
