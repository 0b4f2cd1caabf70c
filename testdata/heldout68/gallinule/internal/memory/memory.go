// Package memory keeps agents' long-term memories in Workers KV.
//
// Layout:
//
//	mem/<workspace>/<agent>/<id>     one Memory as JSON, title and tags in metadata
//	memidx/<workspace>/<agent>       JSON array of memory ids, newest last
package memory

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/birdline/gallinule/internal/kvstore"
)

// Memory is one thing an agent chose to remember.
type Memory struct {
	ID         string    `json:"id"`
	Workspace  string    `json:"workspace"`
	Agent      string    `json:"agent"`
	Title      string    `json:"title"`
	Text       string    `json:"text"`
	Tags       []string  `json:"tags,omitempty"`
	Pinned     bool      `json:"pinned,omitempty"`
	Created    time.Time `json:"created"`
	LastAccess time.Time `json:"last_access,omitempty"`
	Reads      int       `json:"reads,omitempty"`
}

// Summary is what a listing returns without reading values.
type Summary struct {
	ID    string   `json:"id"`
	Title string   `json:"title"`
	Tags  []string `json:"tags,omitempty"`
}

// ErrNoMemory is returned when an id does not name a memory.
var ErrNoMemory = errors.New("memory: not found")

// Store reads and writes memories.
type Store struct {
	NS  *kvstore.Namespace
	Log *slog.Logger
}

func itemKey(ws, agent, id string) string { return "mem/" + ws + "/" + agent + "/" + id }
func agentPrefix(ws, agent string) string { return "mem/" + ws + "/" + agent + "/" }
func indexKey(ws, agent string) string    { return "memidx/" + ws + "/" + agent }

func newID() string {
	var b [9]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// Remember stores text as a new memory and returns it. A zero ttl keeps it forever.
func (s *Store) Remember(ctx context.Context, ws, agent, title, text string, tags []string, ttl time.Duration) (Memory, error) {
	m := Memory{
		ID: newID(), Workspace: ws, Agent: agent,
		Title: title, Text: text, Tags: tags, Created: time.Now().UTC(),
	}
	meta := map[string]any{"title": truncate(title, 120), "tags": strings.Join(tags, ",")}
	raw, err := marshal(m)
	if err != nil {
		return Memory{}, err
	}
	if err := s.NS.PutMeta(ctx, itemKey(ws, agent, m.ID), raw, meta, ttl); err != nil {
		return Memory{}, err
	}
	if err := s.appendIndex(ctx, ws, agent, m.ID); err != nil {
		s.Log.WarnContext(ctx, "memory index not updated", "agent", agent, "err", err)
	}
	return m, nil
}

func (s *Store) appendIndex(ctx context.Context, ws, agent, id string) error {
	var ids []string
	if _, err := s.NS.GetJSON(ctx, indexKey(ws, agent), &ids); err != nil {
		return err
	}
	ids = append(ids, id)
	if len(ids) > 5000 {
		ids = ids[len(ids)-5000:]
	}
	return s.NS.PutJSON(ctx, indexKey(ws, agent), ids, 0) // EXPECT kvrace
}

// Recall returns one memory. The bool is false when it does not exist.
func (s *Store) Recall(ctx context.Context, ws, agent, id string) (Memory, bool, error) {
	var m Memory
	ok, err := s.NS.GetJSON(ctx, itemKey(ws, agent, id), &m)
	if err != nil || !ok {
		return Memory{}, false, err
	}
	go s.touch(context.WithoutCancel(ctx), ws, agent, id)
	return m, true, nil
}

// touch records that a memory was read; memories that are read often are
// kept when a workspace is compacted.
func (s *Store) touch(ctx context.Context, ws, agent, id string) {
	var m Memory
	if ok, err := s.NS.GetJSON(ctx, itemKey(ws, agent, id), &m); err != nil || !ok {
		return
	}
	m.Reads++
	m.LastAccess = time.Now().UTC()
	if err := s.NS.PutJSON(ctx, itemKey(ws, agent, id), m, 0); err != nil { // EXPECT kvrace
		s.Log.Warn("memory touch", "id", id, "err", err)
	}
}

// Pin marks a memory so that compaction never removes it.
func (s *Store) Pin(ctx context.Context, ws, agent, id string, pinned bool) error {
	var m Memory
	ok, err := s.NS.GetJSON(ctx, itemKey(ws, agent, id), &m)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoMemory
	}
	m.Pinned = pinned
	return s.NS.PutJSON(ctx, itemKey(ws, agent, id), m, 0) // EXPECT kvrace
}

// Forget deletes a memory.
func (s *Store) Forget(ctx context.Context, ws, agent, id string) error {
	return s.NS.Delete(ctx, itemKey(ws, agent, id))
}

// Page returns one page of an agent's memories from metadata, with the
// cursor for the next page.
func (s *Store) Page(ctx context.Context, ws, agent, cursor string, limit int) ([]Summary, string, error) {
	limit = min(max(limit, 10), 1000)
	entries, next, err := s.NS.ListPage(ctx, agentPrefix(ws, agent), cursor, limit)
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(entries))
	for _, e := range entries {
		out = append(out, summaryOf(e))
	}
	return out, next, nil
}

// Search returns every memory of agent whose title or text contains q.
func (s *Store) Search(ctx context.Context, ws, agent, q string) ([]Memory, error) {
	q = strings.ToLower(q)
	var hits []Memory
	cursor := ""
	for {
		entries, next, err := s.NS.ListPage(ctx, agentPrefix(ws, agent), cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			var m Memory
			if ok, err := s.NS.GetJSON(ctx, e.Key, &m); err != nil || !ok { // EXPECT kvlist
				continue
			}
			if strings.Contains(strings.ToLower(m.Title), q) || strings.Contains(strings.ToLower(m.Text), q) {
				hits = append(hits, m)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return hits, nil
}

// ReplaceIndex rebuilds an agent's index from ids in order, skipping ids
// whose memory no longer exists.
func (s *Store) ReplaceIndex(ctx context.Context, ws, agent string, ids []string) error {
	kept := make([]string, 0, len(ids))
	for _, id := range ids {
		if _, ok, err := s.Recall(ctx, ws, agent, id); err != nil || !ok {
			continue
		}
		kept = append(kept, id)
		if err := s.NS.PutJSON(ctx, indexKey(ws, agent), kept, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Retag replaces a memory's tags one change at a time so that a failed
// change leaves the earlier ones in place.
func (s *Store) Retag(ctx context.Context, ws, agent, id string, changes []TagChange) error {
	var m Memory
	ok, err := s.NS.GetJSON(ctx, itemKey(ws, agent, id), &m)
	if err != nil {
		return err
	}
	if !ok {
		return ErrNoMemory
	}
	for _, c := range changes {
		m.Tags = c.apply(m.Tags)
		meta := map[string]any{"title": truncate(m.Title, 120), "tags": strings.Join(m.Tags, ","), "pinned": m.Pinned}
		raw, err := marshal(m)
		if err != nil {
			return err
		}
		if err := s.NS.PutMeta(ctx, itemKey(ws, agent, id), raw, meta, 0); err != nil { // EXPECT kvhotkey|kvrace
			return fmt.Errorf("retag %s: %w", c.Tag, err)
		}
	}
	return nil
}
