// Package catalog lists, reports on and purges the episodes of a show
// through the REST API.
package catalog

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/siskinfm/siskin/internal/cfkv"
	"github.com/siskinfm/siskin/internal/kvdb"
	"github.com/siskinfm/siskin/internal/kvstore"
)

// Service is the catalog's entry point.
type Service struct {
	KV *cfkv.Client
}

// KeysParams is a listing request as the dashboard sends it.
type KeysParams = kv.NamespaceKeyListParams

func (s *Service) listParams(showID string) KeysParams {
	return KeysParams{
		AccountID: cloudflare.F(s.KV.AccountID()),
		Prefix:    cloudflare.F("episode:" + showID + ":"),
	}
}

// Page is one page of episode keys and the cursor to fetch the next.
type Page struct {
	Keys   []string `json:"keys"`
	Cursor string   `json:"cursor,omitempty"`
}

// ListEpisodes returns one page of a show's episode keys.
func (s *Service) ListEpisodes(ctx context.Context, showID, cursor string, limit int) (Page, error) {
	p := s.listParams(showID)
	p.Limit = cloudflare.F(float64(min(max(limit, 10), 1000)))
	if cursor != "" {
		p.Cursor = cloudflare.F(cursor)
	}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	res, err := s.KV.API().KV.Namespaces.Keys.List(ctx, s.KV.Namespace(), p)
	if err != nil {
		return Page{}, err
	}
	out := Page{Cursor: res.ResultInfo.Cursor}
	for _, k := range res.Result {
		out.Keys = append(out.Keys, k.Name)
	}
	return out, nil
}

// Latest returns the five newest episode keys for the show's sidebar.
func (s *Service) Latest(ctx context.Context, showID string) ([]string, error) {
	p := s.listParams(showID)
	p.Limit = cloudflare.F(5.0) // EXPECT kvlimits
	res, err := s.KV.API().KV.Namespaces.Keys.List(ctx, s.KV.Namespace(), p)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, nil
}

// EpisodeSummary is one row of the catalog report.
type EpisodeSummary struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Duration int    `json:"duration_sec"`
}

// Report returns the title and duration of a page of episodes.
func (s *Service) Report(ctx context.Context, showID, cursor string) ([]EpisodeSummary, string, error) {
	keys, next, err := s.KV.ListPage(ctx, "episode:"+showID+":", cursor, 100)
	if err != nil {
		return nil, "", err
	}
	rows := make([]EpisodeSummary, 0, len(keys))
	for _, k := range keys {
		raw, err := s.KV.Get(ctx, k.Name) // EXPECT kvlist
		if err != nil {
			return nil, "", err
		}
		var ep kvdb.Episode
		if err := json.Unmarshal(raw, &ep); err != nil {
			return nil, "", err
		}
		rows = append(rows, EpisodeSummary{ID: ep.ID, Title: ep.Title, Duration: ep.DurationSec})
	}
	return rows, next, nil
}

// Titles returns titles from listing metadata only, for the episode picker.
func (s *Service) Titles(ctx context.Context, showID, cursor string) (map[string]string, string, error) {
	keys, next, err := s.KV.ListPage(ctx, "episode:"+showID+":", cursor, 1000)
	if err != nil {
		return nil, "", err
	}
	out := make(map[string]string, len(keys))
	for _, k := range keys {
		if md, ok := k.Metadata.(map[string]any); ok {
			if t, ok := md["title"].(string); ok {
				out[k.Name] = t
			}
		}
	}
	return out, next, nil
}

// PurgeStatus is shown while a purge runs.
type PurgeStatus struct {
	Deleted int       `json:"deleted"`
	At      time.Time `json:"at"`
}

// PurgeShow deletes every episode of a show.
func (s *Service) PurgeShow(ctx context.Context, showID string) (int, error) {
	api := s.KV.API()
	iter := api.KV.Namespaces.Keys.ListAutoPaging(ctx, s.KV.Namespace(), s.listParams(showID)) // EXPECT kvlist
	var names []string
	for iter.Next() {
		names = append(names, iter.Current().Name)
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	var st PurgeStatus
	for lo := 0; lo < len(names); lo += 1000 {
		hi := min(lo+1000, len(names))
		_, err := api.KV.Namespaces.BulkDelete(ctx, s.KV.Namespace(), kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(s.KV.AccountID()),
			Body:      names[lo:hi],
		})
		if err != nil {
			return st.Deleted, err
		}
		st.Deleted, st.At = hi, time.Now()
		if err := kvstore.Put(ctx, "purge:status:"+showID, st, time.Hour); err != nil { // EXPECT kvhotkey
			return st.Deleted, err
		}
	}
	return st.Deleted, nil
}

// PurgeExpiredDrafts removes drafts older than the retention window, at
// most maxPages pages per run; the cron picks up the rest next time.
func (s *Service) PurgeExpiredDrafts(ctx context.Context, showID string, olderThan time.Time) (int, error) {
	const maxPages = 20
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	api := s.KV.API()
	p := s.listParams(showID)
	p.Limit = cloudflare.F(1000.0)
	var doomed []string
	for page := 0; page < maxPages; page++ {
		res, err := api.KV.Namespaces.Keys.List(ctx, s.KV.Namespace(), p)
		if err != nil {
			return 0, err
		}
		for _, k := range res.Result {
			md, _ := k.Metadata.(map[string]any)
			if draft, _ := md["draft"].(bool); draft && k.Expiration == 0 {
				doomed = append(doomed, k.Name)
			}
		}
		if res.ResultInfo.Cursor == "" {
			break
		}
		p.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	if len(doomed) == 0 {
		return 0, nil
	}
	_, err := api.KV.Namespaces.BulkDelete(ctx, s.KV.Namespace(), kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F(s.KV.AccountID()),
		Body:      doomed,
	})
	if err != nil {
		return 0, err
	}
	if err := kvstore.Put(ctx, "purge:drafts:last:"+showID, olderThan.Format(time.RFC3339), 0); err != nil {
		return len(doomed), err
	}
	return len(doomed), nil
}

// CountExpiring counts episodes that carry an expiration, for the storage
// usage page.
func (s *Service) CountExpiring(ctx context.Context, showID string) (int, error) {
	p := s.listParams(showID)
	n := 0
	for {
		res, err := s.KV.API().KV.Namespaces.Keys.List(ctx, s.KV.Namespace(), p) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		if len(res.Result) == 0 {
			break
		}
		for _, k := range res.Result {
			if k.Expiration > 0 {
				n++
			}
		}
		p.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return n, nil
}
