//go:build js && wasm

package sweep

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Sweeper runs maintenance over one KV namespace.
type Sweeper struct {
	ns        *kv.Namespace
	now       func() time.Time
	keyBudget int
}

// Open binds a Sweeper to the named namespace. keyBudget caps how many keys
// one job may visit.
func Open(binding string, keyBudget int) (*Sweeper, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Sweeper{ns: ns, now: time.Now, keyBudget: max(keyBudget, 100)}, nil
}

// PurgeUntimedHolds deletes seat holds of a drop that were written without
// an expiry (an old client bug).
func (s *Sweeper) PurgeUntimedHolds(ctx context.Context, drop string) (int, error) {
	prefix := "hold:" + drop + ":"
	cursor := ""
	purged := 0
	for {
		res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return purged, err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 {
				continue
			}
			if err := s.ns.Delete(k.Name); err != nil {
				return purged, err
			}
			purged++
		}
		if res.ListComplete {
			return purged, nil
		}
		cursor = res.Cursor
	}
}

// DropStalePresence deletes presence keys of a room that expire within the
// next minute anyway, so the roster shrinks before the lobby closes.
func (s *Sweeper) DropStalePresence(ctx context.Context, room string) (int, error) {
	opts := &kv.ListOptions{Prefix: "presence:" + room + ":", Limit: 200}
	soon := s.now().Add(time.Minute).Unix()
	dropped := 0
	for visited := 0; visited < s.keyBudget; {
		res, err := s.ns.List(opts) // EXPECT kvlist
		if err != nil {
			return dropped, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if k.Expiration > 0 && int64(k.Expiration) < soon {
				if err := s.ns.Delete(k.Name); err != nil {
					return dropped, err
				}
				dropped++
			}
		}
		visited += len(res.Keys)
		opts.Cursor = res.Cursor
	}
	return dropped, nil
}

// ExportTicketKeys returns the queue-ticket keys of a drop, for the
// post-show reconciliation with the ticketing system.
func (s *Sweeper) ExportTicketKeys(ctx context.Context, drop string, maxPages int) ([]string, error) {
	prefix := "queue:" + drop + ":t:"
	res, err := s.ns.List(&kv.ListOptions{Prefix: prefix, Limit: 1000})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range res.Keys {
		out = append(out, k.Name)
	}
	for page := 1; page < maxPages && !res.ListComplete; page++ {
		res, err = s.ns.List(&kv.ListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		for _, k := range res.Keys {
			out = append(out, k.Name)
		}
	}
	return out, nil
}

// ActiveRooms returns the lobbies that currently have a roster.
func (s *Sweeper) ActiveRooms(ctx context.Context) ([]string, error) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: "roster:", Limit: 1000}) // DEBATABLE kvlist
	if err != nil {
		return nil, err
	}
	if !res.ListComplete {
		log.Printf("sweep: more than %d active rooms, using the first page", len(res.Keys))
	}
	rooms := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		rooms = append(rooms, strings.TrimPrefix(k.Name, "roster:"))
	}
	return rooms, nil
}

// Run is the record of one scheduled run.
type Run struct {
	Cron     string         `json:"cron"`
	Started  time.Time      `json:"started"`
	Finished time.Time      `json:"finished"`
	Results  map[string]int `json:"results"`
	Errors   []string       `json:"errors,omitempty"`
}

// RecordRun stores the outcome of this scheduled run for the status page.
func (s *Sweeper) RecordRun(run Run) error {
	b, err := json.Marshal(run)
	if err != nil {
		return fmt.Errorf("record run: %w", err)
	}
	return s.ns.PutString("sweep:last-run", string(b), &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600})
}
