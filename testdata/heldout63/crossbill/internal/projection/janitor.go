package projection

import (
	"context"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// SweepStaleHolds deletes hold keys whose fan has already checked out. It walks
// at most maxPages pages per run; the next run continues from the saved cursor.
func (r *Relay) SweepStaleHolds(ctx context.Context, eventID string, maxPages int) error {
	cursor := ""
	if raw, err := r.Edge.Get(ctx, "janitor:cursor:"+eventID); err == nil {
		cursor = string(raw)
	}
	prefix := "hold:" + eventID + ":"
	for range maxPages {
		keys, next, err := r.Edge.Page(ctx, prefix, cursor, 1000)
		if err != nil {
			return err
		}
		stale := make([]string, 0, len(keys))
		for _, k := range keys {
			if m, ok := k.Metadata.(map[string]any); ok && m["state"] == "sold" {
				stale = append(stale, k.Name)
			}
		}
		if len(stale) > 0 {
			if _, err := r.Edge.API.KV.Namespaces.BulkDelete(ctx, r.Edge.NamespaceID, kv.NamespaceBulkDeleteParams{
				AccountID: cloudflare.F(r.Edge.AccountID),
				Body:      stale,
			}); err != nil {
				return err
			}
		}
		cursor = next
		if cursor == "" {
			break
		}
	}
	return r.Edge.Put(ctx, "janitor:cursor:"+eventID, []byte(cursor), 24*time.Hour)
}

// CountHolds reports how many holds an event has at the edge.
func (r *Relay) CountHolds(ctx context.Context, eventID string) (int, error) {
	iter := r.Edge.API.KV.Namespaces.Keys.ListAutoPaging(ctx, r.Edge.NamespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(r.Edge.AccountID),
		Prefix:    cloudflare.F("hold:" + eventID + ":"),
	})
	n := 0
	for iter.Next() {
		n++
	}
	return n, iter.Err()
}

// SampleHolds returns up to limit hold keys for the support tool.
func (r *Relay) SampleHolds(ctx context.Context, eventID string, limit int) ([]string, error) {
	iter := r.Edge.API.KV.Namespaces.Keys.ListAutoPaging(ctx, r.Edge.NamespaceID, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.Edge.AccountID),
		Prefix:    cloudflare.F("hold:" + eventID + ":"),
		Limit:     cloudflare.F(float64(min(limit, 1000))),
	})
	out := make([]string, 0, limit)
	for iter.Next() {
		out = append(out, iter.Current().Name)
		if len(out) >= limit {
			break
		}
	}
	return out, iter.Err()
}

// PurgeEvent removes every projection key of a cancelled event.
func (r *Relay) PurgeEvent(ctx context.Context, eventID string) error {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.Edge.AccountID),
		Prefix:    cloudflare.F("seat:" + eventID + ":"),
	}
	for {
		page, err := r.Edge.API.KV.Namespaces.Keys.List(ctx, r.Edge.NamespaceID, params) // EXPECT kvlist
		if err != nil {
			return err
		}
		names := make([]string, 0, len(page.Result))
		for _, k := range page.Result {
			if strings.HasPrefix(k.Name, "seat:") {
				names = append(names, k.Name)
			}
		}
		if len(names) > 0 {
			if _, err := r.Edge.API.KV.Namespaces.BulkDelete(ctx, r.Edge.NamespaceID, kv.NamespaceBulkDeleteParams{
				AccountID: cloudflare.F(r.Edge.AccountID),
				Body:      names,
			}); err != nil {
				return err
			}
		}
		if page.ResultInfo.Cursor == "" {
			return nil
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
}
