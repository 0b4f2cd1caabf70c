// Package conversation stores chat histories and the per-user index of them.
package conversation

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/kakariki-ai/kakariki/internal/kvstore"
	"github.com/kakariki-ai/kakariki/internal/llm"
)

// Retention of a conversation after its last message.
const Retention = 90 * 24 * time.Hour

// Conversation is one chat thread.
type Conversation struct {
	ID       string        `json:"id"`
	OwnerID  string        `json:"owner_id"`
	Title    string        `json:"title"`
	Model    string        `json:"model"`
	Messages []llm.Message `json:"messages"`
	Updated  time.Time     `json:"updated"`
}

// Summary is what the index keeps in key metadata so listing needs no reads.
type Summary struct {
	Title   string `json:"t"`
	Updated int64  `json:"u"`
}

// Store persists conversations in KV.
type Store struct {
	KV *kvstore.Store
}

func key(id string) string             { return "conv:" + id }
func indexPrefix(owner string) string  { return "convidx:" + owner + ":" }
func indexKey(owner, id string) string { return indexPrefix(owner) + id }

// Load returns the conversation, or a fresh one owned by owner.
func (s *Store) Load(ctx context.Context, owner, id string) (*Conversation, error) {
	var c Conversation
	err := s.KV.GetJSON(ctx, key(id), &c)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
		return &Conversation{ID: id, OwnerID: owner}, nil
	case err != nil:
		return nil, err
	case c.OwnerID != owner:
		return nil, errors.New("conversation: not found")
	}
	return &c, nil
}

// Save writes the conversation and refreshes its index entry.
func (s *Store) Save(ctx context.Context, c *Conversation) error {
	c.Updated = time.Now().UTC()
	return s.KV.PutJSON(ctx, key(c.ID), c, Retention)
}

// Index records the conversation in its owner's list. Called once when the
// conversation gets its title.
func (s *Store) Index(ctx context.Context, c *Conversation) error {
	meta := Summary{Title: truncate(c.Title, 120), Updated: c.Updated.Unix()}
	return s.KV.PutWithMetadata(ctx, indexKey(c.OwnerID, c.ID), []byte(c.ID), meta, Retention)
}

// AppendMessage adds one message to a stored conversation.
func (s *Store) AppendMessage(ctx context.Context, id string, m llm.Message) error {
	var c Conversation
	if err := s.KV.GetJSON(ctx, key(id), &c); err != nil {
		return err
	}
	c.Messages = append(c.Messages, m)
	c.Updated = time.Now().UTC()
	return s.KV.PutJSON(ctx, key(id), c, Retention) // EXPECT kvrace
}

// ListPage returns one page of the owner's conversations and the cursor of
// the next page ("" when done).
func (s *Store) ListPage(ctx context.Context, owner, cursor string) ([]Summary, []string, string, error) {
	p, err := s.KV.List(ctx, indexPrefix(owner), cursor, 50)
	if err != nil {
		return nil, nil, "", err
	}
	sums := make([]Summary, 0, len(p.Keys))
	ids := make([]string, 0, len(p.Keys))
	for _, k := range p.Keys {
		m, _ := k.Metadata.(map[string]any)
		title, _ := m["t"].(string)
		updated, _ := m["u"].(float64)
		sums = append(sums, Summary{Title: title, Updated: int64(updated)})
		ids = append(ids, strings.TrimPrefix(k.Name, indexPrefix(owner)))
	}
	return sums, ids, p.Cursor, nil
}

// DeleteAll removes every conversation of owner (account deletion).
func (s *Store) DeleteAll(ctx context.Context, owner string) error {
	var keys []string
	cursor := ""
	for {
		p, err := s.KV.List(ctx, indexPrefix(owner), cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range p.Keys {
			keys = append(keys, k.Name, key(strings.TrimPrefix(k.Name, indexPrefix(owner))))
		}
		if p.Cursor == "" {
			break
		}
		cursor = p.Cursor
	}
	for len(keys) > 0 {
		n := min(len(keys), 10000)
		if err := s.KV.BulkDelete(ctx, keys[:n]); err != nil {
			return err
		}
		keys = keys[n:]
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
