package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/helpdeskco/sanderling/internal/keys"
	"github.com/helpdeskco/sanderling/internal/rest"
)

const openPrefix = "tkt-open:"

// OpenTickets returns the IDs of the open tickets the edge has flagged.
func (r *Repo) OpenTickets(ctx context.Context) ([]string, error) {
	page, err := rest.Client.KV.Namespaces.Keys.List(ctx, string(r.NS), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(rest.AccountID),
		Prefix:    cloudflare.F(openPrefix),
		Limit:     cloudflare.F(1000.0),
	})
	if err != nil {
		return nil, err
	}
	ids := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		ids = append(ids, strings.TrimPrefix(k.Name, openPrefix))
	}
	return ids, nil
}

// Export writes every ticket key and its expiry as JSON lines.
func (r *Repo) Export(ctx context.Context, w io.Writer) error {
	enc := json.NewEncoder(w)
	iter := rest.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, string(r.NS), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(rest.AccountID),
		Prefix:    cloudflare.F(keys.KindTicket.Prefix() + keys.Sep),
	})
	for iter.Next() {
		k := iter.Current()
		if err := enc.Encode(map[string]any{"key": k.Name, "expiration": k.Expiration}); err != nil {
			return err
		}
	}
	return iter.Err()
}

// Sample returns up to limit ticket keys for the admin console's key browser.
func (r *Repo) Sample(ctx context.Context, limit int) ([]string, error) {
	iter := rest.Client.KV.Namespaces.Keys.ListAutoPaging(ctx, string(r.NS), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(rest.AccountID),
		Prefix:    cloudflare.F(keys.KindTicket.Prefix() + keys.Sep),
		Limit:     cloudflare.F(float64(min(limit, 1000))),
	})
	var out []string
	for iter.Next() {
		out = append(out, iter.Current().Name)
		if len(out) >= limit {
			break
		}
	}
	return out, iter.Err()
}

// Peek returns the first keys under prefix and the cursor to continue.
func (r *Repo) Peek(ctx context.Context, prefix, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(rest.AccountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := rest.Client.KV.Namespaces.Keys.List(ctx, string(r.NS), params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	return names, page.ResultInfo.Cursor, nil
}

// SummaryPage returns one page of cached summaries and the cursor to continue.
func (r *Repo) SummaryPage(ctx context.Context, cursor string) ([]Summary, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(rest.AccountID),
		Prefix:    cloudflare.F(openPrefix),
		Limit:     cloudflare.F(100.0),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := rest.Client.KV.Namespaces.Keys.List(ctx, string(r.NS), params)
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(page.Result))
	for _, k := range page.Result {
		id := strings.TrimPrefix(k.Name, openPrefix)
		raw, err := r.Get(ctx, keys.KindTicket.Key(id, "summary")) // EXPECT kvlist
		if err != nil {
			continue
		}
		var s Summary
		if json.Unmarshal(raw, &s) == nil {
			out = append(out, s)
		}
	}
	return out, page.ResultInfo.Cursor, nil
}

// RebuildSearchIndex rewrites the search documents of up to maxPages pages of
// tickets.
func (r *Repo) RebuildSearchIndex(ctx context.Context, maxPages int) error {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(rest.AccountID),
		Prefix:    cloudflare.F(keys.KindTicket.Prefix() + keys.Sep),
		Limit:     cloudflare.F(100.0),
	}
	for page := 0; page < maxPages; page++ {
		res, err := rest.Client.KV.Namespaces.Keys.List(ctx, string(r.NS), params)
		if err != nil {
			return fmt.Errorf("reindex page %d: %w", page, err)
		}
		var names []string
		for _, k := range res.Result {
			if strings.Count(k.Name, keys.Sep) == 1 {
				names = append(names, k.Name)
			}
		}
		vals, err := rest.BulkGet(ctx, r.NS, names)
		if err != nil {
			return err
		}
		var batch rest.Batch
		for name, v := range vals {
			var t Ticket
			if json.Unmarshal([]byte(v), &t) != nil {
				continue
			}
			doc, _ := json.Marshal(map[string]string{"id": t.ID, "text": strings.ToLower(t.Subject + " " + t.Requester)})
			batch.Add(keys.Key("search", strings.TrimPrefix(name, keys.KindTicket.Prefix()+keys.Sep)), doc, 0)
		}
		if err := batch.Flush(ctx, r.NS); err != nil {
			return err
		}
		next := res.ResultInfo.Cursor
		if err := r.Put(ctx, "search:meta:progress", []byte(next), 0); err != nil { // EXPECT kvhotkey
			return err
		}
		if next == "" {
			return nil
		}
		params.Cursor = cloudflare.F(next)
	}
	return nil
}
