//go:build js && wasm

package lostfound

import (
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Sweeper walks the namespace directly for the nightly clean-up, which runs
// inside the scheduled handler.
type Sweeper struct {
	ns  *kv.Namespace
	log *slog.Logger
}

// NewSweeper returns a Sweeper.
func NewSweeper(ns *kv.Namespace, log *slog.Logger) *Sweeper { return &Sweeper{ns: ns, log: log} }

// HeldItemIDs returns the ids of held items, reading at most ten pages.
func (s *Sweeper) HeldItemIDs() ([]string, error) {
	var ids []string
	opts := &kv.ListOptions{Prefix: itemPrefix}
	for range 10 {
		res, err := s.ns.List(opts) // EXPECT kvlist
		if err != nil {
			return ids, err
		}
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, itemPrefix))
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor}
	}
	return ids, nil
}

// AllNotes returns the names of every notes key.
func (s *Sweeper) AllNotes() ([]string, error) {
	var names []string
	cursor := ""
	for {
		res, err := s.ns.List(&kv.ListOptions{Prefix: "lf:notes:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			return names, nil
		}
		cursor = res.Cursor
	}
}

// ExpiringClaims returns the claims that expire within d, scanning until a
// page comes back empty.
func (s *Sweeper) ExpiringClaims(d time.Duration) ([]string, error) {
	var names []string
	deadline := time.Now().Add(d).Unix()
	cursor := ""
	for page := 0; page < 20; page++ {
		res, err := s.ns.List(&kv.ListOptions{Prefix: claimPrefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if k.Expiration > 0 && int64(k.Expiration) < deadline {
				names = append(names, k.Name)
			}
		}
		cursor = res.Cursor
	}
	return names, nil
}

// Purge deletes the given items and records progress so that an operator
// can see how far the sweep got.
func (s *Sweeper) Purge(ids []string) error {
	for i, id := range ids {
		if err := s.ns.Delete(itemPrefix + id); err != nil {
			return err
		}
		if err := s.ns.PutString("lf:sweep:progress", strconv.Itoa(i+1)+"/"+strconv.Itoa(len(ids)), nil); err != nil { // EXPECT kvhotkey
			s.log.Warn("progress write failed", "err", err)
		}
	}
	return nil
}

// PurgeNotes deletes notes keys, one key per iteration, and records the run
// once at the end.
func (s *Sweeper) PurgeNotes(names []string) error {
	for _, n := range names {
		if err := s.ns.Delete(n); err != nil {
			return err
		}
	}
	return s.ns.PutString("lf:sweep:notes-purged-at", time.Now().UTC().Format(time.RFC3339), &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600})
}
