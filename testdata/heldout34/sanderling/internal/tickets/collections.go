package tickets

import (
	"context"
	"encoding/json"
	"time"

	"github.com/helpdeskco/sanderling/internal/keys"
	"github.com/helpdeskco/sanderling/internal/kverr"
	"github.com/helpdeskco/sanderling/internal/rest"
)

// Tags are key/value labels on a ticket. An empty value removes the tag.
type Tags map[string]string

// Save merges the tags into the ticket's stored tags.
func (t Tags) Save(ctx context.Context, ticketID string) error {
	key := keys.KindTicket.Key(ticketID, "tags")
	merged := Tags{}
	raw, err := rest.Get(ctx, rest.Tickets, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &merged); err != nil {
			return err
		}
	case !kverr.IsMiss(err):
		return err
	}
	for k, v := range t {
		if v == "" {
			delete(merged, k)
			continue
		}
		merged[k] = v
	}
	b, err := json.Marshal(merged)
	if err != nil {
		return err
	}
	return rest.Put(ctx, rest.Tickets, key, b, 0) // EXPECT kvrace
}

// Watchers are the agents following a ticket.
type Watchers []string

// Notify sends each watcher a notification about the ticket.
func (ws Watchers) Notify(ctx context.Context, ticketID string, send func(ctx context.Context, agentID string) error) error {
	stamp := keys.KindTicket.Key(ticketID, "notified_at")
	for _, agentID := range ws {
		if err := send(ctx, agentID); err != nil {
			return err
		}
		if err := rest.Put(ctx, rest.Tickets, stamp, []byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// MarkUnread flags the ticket as unread in each watcher's inbox.
func (ws Watchers) MarkUnread(ctx context.Context, ticketID string) error {
	var b rest.Batch
	for _, agentID := range ws {
		b.Add(keys.Key("unread", agentID, ticketID), []byte("1"), 14*24*time.Hour)
	}
	return b.Flush(ctx, rest.Tickets)
}
