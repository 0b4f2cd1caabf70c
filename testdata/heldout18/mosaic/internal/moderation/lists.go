//go:build js && wasm

package moderation

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/mosaic/internal/domain"
)

const (
	denyListKey = "moderation:deny-list"
	denyPrefix  = "moderation:deny:"
	allowPrefix = "moderation:allow:"
	kvNull      = "<null>"
)

// Lists reads and edits the moderation lists in KV.
type Lists struct {
	ns       *kv.Namespace
	log      *slog.Logger
	maxPages int
}

// NewLists returns a list manager over ns.
func NewLists(ns *kv.Namespace, log *slog.Logger, maxPages int) *Lists {
	return &Lists{ns: ns, log: log, maxPages: max(maxPages, 1)}
}

// DenyAll returns the consolidated deny list used by the nightly export.
func (l *Lists) DenyAll() ([]domain.ModerationEntry, error) {
	raw, err := l.ns.GetString(denyListKey, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return nil, err
	}
	if raw == kvNull {
		return nil, nil
	}
	var entries []domain.ModerationEntry
	if err := json.Unmarshal([]byte(raw), &entries); err != nil {
		return nil, fmt.Errorf("moderation: deny list: %w", err)
	}
	return entries, nil
}

// Deny adds an entry to the consolidated list and to the per-hash index
// consulted on upload.
func (l *Lists) Deny(e domain.ModerationEntry) error {
	e.Kind = domain.ListDeny
	if err := e.Validate(); err != nil {
		return err
	}
	entries, err := l.DenyAll()
	if err != nil {
		return err
	}
	for _, have := range entries {
		if have.Hash == e.Hash {
			return nil
		}
	}
	entries = append(entries, e)
	raw, err := json.Marshal(entries)
	if err != nil {
		return err
	}
	if err := l.ns.PutString(denyListKey, string(raw), nil); err != nil { // EXPECT kvrace
		return err
	}
	return l.ns.PutString(denyPrefix+e.Hash, e.Reason, nil)
}

// Allow records an allow-list entry under its own key.
func (l *Lists) Allow(e domain.ModerationEntry) error {
	e.Kind = domain.ListAllow
	if err := e.Validate(); err != nil {
		return err
	}
	raw, _ := json.Marshal(e)
	return l.ns.PutString(allowPrefix+e.Hash, string(raw), nil)
}

// IsDenied reports whether a content hash is on the deny list.
func (l *Lists) IsDenied(hash string) (bool, error) {
	reason, err := l.ns.GetString(denyPrefix+hash, nil)
	if err != nil {
		return false, err
	}
	if reason == "" { // EXPECT kvnull
		return false, nil
	}
	l.log.Info("denied content", "hash", hash, "reason", reason)
	return true, nil
}

// Check classifies a hash using the snapshot first and KV second.
func (l *Lists) Check(snap *Snapshot, hash string) (Decision, error) {
	if snap.Allowed(hash) {
		return Allowed, nil
	}
	if denied, err := l.IsDenied(hash); err != nil || !denied {
		return Unknown, err
	}
	return Denied, nil
}

// loadAllow reads the allow list, at most maxPages pages.
func (l *Lists) loadAllow() (map[string]domain.ModerationEntry, error) {
	out := map[string]domain.ModerationEntry{}
	cursor := ""
	for page := 0; page < l.maxPages; page++ {
		res, err := l.ns.List(&kv.ListOptions{Prefix: allowPrefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			raw, err := l.ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			if raw == kvNull {
				continue
			}
			var e domain.ModerationEntry
			if err := json.Unmarshal([]byte(raw), &e); err != nil {
				l.log.Warn("skipping malformed allow entry", "key", k.Name, "err", err)
				continue
			}
			out[strings.TrimPrefix(k.Name, allowPrefix)] = e
		}
		if res.ListComplete {
			return out, nil
		}
		cursor = res.Cursor
	}
	l.log.Warn("allow list truncated", "pages", l.maxPages)
	return out, nil
}

// Refresh keeps snap up to date until ctx ends.
func (l *Lists) Refresh(ctx context.Context, snap *Snapshot, every time.Duration) {
	load := func() {
		entries, err := l.loadAllow()
		if err != nil {
			l.log.Error("allow list refresh failed", "err", err)
			return
		}
		snap.Replace(entries)
	}
	load()
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			load()
		}
	}
}
