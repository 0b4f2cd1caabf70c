package archive

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"example.com/quill/internal/config"
	"example.com/quill/internal/keys"
	"example.com/quill/internal/storage"
)

// Queries is the read side of the archive.
type Queries struct {
	r      storage.Reader
	cache  storage.Writer
	origin Origin
	tenant string
}

// NewQueries returns the read side; cache receives issues fetched from origin.
func NewQueries(tenant string, r storage.Reader, cache storage.Writer, origin Origin) *Queries {
	return &Queries{r: r, cache: cache, origin: origin, tenant: tenant}
}

// Listing is one page of the archive.
type Listing struct {
	Issues []Ref  `json:"issues"`
	Next   string `json:"next,omitempty"`
}

// Page returns one page of the archive and the cursor of the next.
func (q *Queries) Page(ctx context.Context, cursor string) (Listing, error) {
	size := min(max(config.Current().ArchivePageSize, 1), 100)
	page, err := q.r.List(ctx, storage.ListOptions{Prefix: keys.IssuePrefix(q.tenant), Cursor: cursor, Limit: size})
	if err != nil {
		return Listing{}, err
	}
	var out Listing
	for _, k := range page.Keys {
		out.Issues = append(out.Issues, refFromMeta(k))
	}
	if !page.Complete {
		out.Next = page.Cursor
	}
	return out, nil
}

func refFromMeta(k storage.KeyInfo) Ref {
	var iss keys.Issue
	_ = iss.UnmarshalText([]byte(k.Name))
	r := Ref{Number: iss.Number}
	r.Title, _ = k.Metadata["title"].(string)
	if p, ok := k.Metadata["published"].(float64); ok {
		r.Published = time.Unix(int64(p), 0).UTC()
	}
	return r
}

// Issue returns a published issue, filling KV from the origin on a miss.
func (q *Queries) Issue(ctx context.Context, number int) (Issue, error) {
	key := keys.Issue{Tenant: q.tenant, Number: number}.String()
	iss, err := storage.GetJSON[Issue](ctx, q.r, key)
	if err == nil {
		return iss, nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return Issue{}, err
	}
	iss, err = q.origin.Issue(ctx, q.tenant, number)
	if err != nil {
		return Issue{}, err
	}
	body, err := json.Marshal(iss)
	if err != nil {
		return Issue{}, err
	}
	cfg := config.Current()
	q.fill(ctx, key, body, iss.meta(),
		config.Seconds(cfg.ArchiveCacheTTL)) // EXPECT kvttl
	return iss, nil
}

func (q *Queries) fill(ctx context.Context, key string, body []byte, meta map[string]any, ttl config.Seconds) {
	_ = q.cache.Put(ctx, key, body, storage.PutOptions{TTL: ttl.Duration(), Metadata: meta})
}

// Digest collects issues for the "catch up" email from at most four pages.
func (q *Queries) Digest(ctx context.Context) ([]Issue, error) {
	var out []Issue
	_, err := storage.Walk(ctx, q.r, keys.IssuePrefix(q.tenant), 4, func(k storage.KeyInfo) error {
		iss, err := storage.GetJSON[Issue](ctx, q.r, k.Name) // EXPECT kvlist
		if err != nil {
			return err
		}
		out = append(out, iss)
		return nil
	})
	return out, err
}

// Search returns the issues whose title contains term.
func (q *Queries) Search(ctx context.Context, term string) ([]Ref, error) {
	term = strings.ToLower(term)
	var hits []Ref
	opts := storage.ListOptions{
		Prefix: keys.IssuePrefix(q.tenant),
		Limit:  2000, // EXPECT kvlimits
	}
	for {
		page, err := q.r.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			r := refFromMeta(k)
			if strings.Contains(strings.ToLower(r.Title), term) {
				hits = append(hits, r)
			}
		}
		if page.Complete {
			break
		}
		opts.Cursor = page.Cursor
	}
	return hits, nil
}
