// Package artifacts keeps build-artifact cache metadata (which digest lives
// where, which builds reference it, how often it is hit) in its own KV
// namespace. It talks to the v6 Cloudflare client directly.
package artifacts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/deploy/internal/clock"
)

// ErrNotFound is returned for unknown digests.
var ErrNotFound = errors.New("artifacts: not found")

const keyPrefix = "artifact/"

// Meta describes one cached artifact.
type Meta struct {
	Digest   string               `json:"digest"`
	Size     int64                `json:"size"`
	Location string               `json:"location"`
	Refs     map[string]time.Time `json:"refs,omitempty"`
	Hits     int                  `json:"hits"`
	LastHit  time.Time            `json:"last_hit,omitzero"`
	StoredAt time.Time            `json:"stored_at"`
}

// Index is the artifact metadata index.
type Index struct {
	client      *cloudflare.Client
	accountID   string
	namespaceID string
	ttl         time.Duration
	clock       clock.Clock
}

// NewIndex returns an Index on namespaceID whose entries live for ttl
// after their last write.
func NewIndex(client *cloudflare.Client, accountID, namespaceID string, ttl time.Duration, c clock.Clock) *Index {
	return &Index{client: client, accountID: accountID, namespaceID: namespaceID, ttl: ttl, clock: clock.Or(c)}
}

func keyFor(digest string) string { return keyPrefix + digest }

func (x *Index) get(ctx context.Context, digest string) (Meta, error) {
	res, err := x.client.KV.Namespaces.Values.Get(ctx, x.namespaceID, url.PathEscape(keyFor(digest)),
		kv.NamespaceValueGetParams{AccountID: cloudflare.F(x.accountID)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return Meta{}, ErrNotFound
		}
		return Meta{}, err
	}
	defer res.Body.Close()
	var m Meta
	if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
		return Meta{}, fmt.Errorf("artifact %s: %w", digest, err)
	}
	return m, nil
}

func (x *Index) write(ctx context.Context, m Meta) error {
	body, _ := json.Marshal(m)
	_, err := x.client.KV.Namespaces.Values.Update(ctx, x.namespaceID, url.PathEscape(keyFor(m.Digest)), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(x.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(body)),
		ExpirationTTL: cloudflare.F(float64(x.ttl)), // EXPECT kvttl
		Metadata:      cloudflare.F[any](map[string]any{"size": m.Size, "stored_at": m.StoredAt.Unix()}),
	})
	return err
}

// AddRef marks digest as used by build.
func (x *Index) AddRef(ctx context.Context, digest, build string) error {
	m, err := x.get(ctx, digest)
	if err != nil {
		return err
	}
	if m.Refs == nil {
		m.Refs = map[string]time.Time{}
	}
	m.Refs[build] = x.clock.Now().UTC()
	return x.write(ctx, m) // EXPECT kvrace
}

// RecordHit notes a cache hit for digest.
func (x *Index) RecordHit(ctx context.Context, digest string) (Meta, error) {
	m, err := x.get(ctx, digest)
	if err != nil {
		return m, err
	}
	m.Hits++
	m.LastHit = x.clock.Now().UTC()
	return m, x.write(ctx, m) // EXPECT kvcounter
}

// Quarantine hides digests from builders for d while a scan runs.
func (x *Index) Quarantine(ctx context.Context, digests []string, d time.Duration) error {
	until := x.clock.Now().Add(d)
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(digests))
	for _, dg := range digests {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:        cloudflare.F("quarantine/" + dg),
			Value:      cloudflare.F(until.UTC().Format(time.RFC3339)),
			Expiration: cloudflare.F(float64(until.UnixMilli())), // EXPECT kvttl
		})
	}
	_, err := x.client.KV.Namespaces.BulkUpdate(ctx, x.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(x.accountID),
		Body:      body,
	})
	return err
}

// Pin keeps markers for digests for at least d, e.g. for a release that
// must stay reproducible.
func (x *Index) Pin(ctx context.Context, digests []string, d time.Duration) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(digests))
	for _, dg := range digests {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F("pin/" + dg),
			Value:         cloudflare.F(dg),
			ExpirationTTL: cloudflare.F(max(d, time.Hour).Seconds()),
		})
	}
	_, err := x.client.KV.Namespaces.BulkUpdate(ctx, x.namespaceID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(x.accountID), Body: body,
	})
	return err
}

// Page returns one page of artifact keys and the cursor to continue from.
func (x *Index) Page(ctx context.Context, cursor string) ([]string, string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(x.accountID),
		Prefix:    cloudflare.F(keyPrefix),
		Limit:     cloudflare.F(100.0),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := x.client.KV.Namespaces.Keys.List(ctx, x.namespaceID, params)
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, res.ResultInfo.Cursor, nil
}

// Prune deletes entries stored before olderThan ago.
func (x *Index) Prune(ctx context.Context, olderThan time.Duration) (int, error) {
	cutoff := x.clock.Now().Add(-olderThan).Unix()
	iter := x.client.KV.Namespaces.Keys.ListAutoPaging(ctx, x.namespaceID, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(x.accountID),
		Prefix:    cloudflare.F(keyPrefix),
	})
	var stale []string
	for iter.Next() {
		k := iter.Current()
		md, _ := k.Metadata.(map[string]any)
		if at, ok := md["stored_at"].(float64); ok && int64(at) < cutoff {
			stale = append(stale, k.Name)
		}
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	for start := 0; start < len(stale); start += 10000 {
		end := min(start+10000, len(stale))
		_, err := x.client.KV.Namespaces.BulkDelete(ctx, x.namespaceID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(x.accountID),
			Body:      stale[start:end],
		})
		if err != nil {
			return start, err
		}
	}
	return len(stale), nil
}
