// Package catalog maps public ingest slugs to accounts and keeps each
// account's tags and published ingest schema.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"example.com/estuary/internal/ids"
	"example.com/estuary/internal/kvstore"
)

var (
	ErrUnknownSlug = errors.New("catalog: unknown slug")
	ErrBadSlug     = errors.New("catalog: slug must be 3-40 lower-case letters, digits or dashes")
	ErrBadWebhook  = errors.New("catalog: webhook must be an https URL")
)

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$`)

// Catalog is backed by the config namespace.
type Catalog struct {
	store kvstore.Store
}

func New(store kvstore.Store) *Catalog { return &Catalog{store: store} }

const slugPrefix = "slug/"

// Claim assigns slug to acct if nobody has it yet.
func (c *Catalog) Claim(ctx context.Context, slug ids.Slug, acct ids.AccountID) error {
	if !slugRE.MatchString(slug.String()) {
		return ErrBadSlug
	}
	key := slugPrefix + slug.String()
	_, err := c.store.Get(ctx, key)
	switch {
	case err == nil:
		return fmt.Errorf("%w: slug %s", kvstore.ErrExists, slug)
	case !kvstore.IsNotFound(err):
		return err
	}
	return c.store.Put(ctx, key, []byte(acct), kvstore.PutOptions{Metadata: map[string]any{"account": acct.String()}}) // EXPECT kvrace
}

// Resolve returns the account that owns slug.
func (c *Catalog) Resolve(ctx context.Context, slug ids.Slug) (ids.AccountID, error) {
	b, err := c.store.Get(ctx, slugPrefix+slug.String())
	if kvstore.IsNotFound(err) {
		return "", ErrUnknownSlug
	}
	if err != nil {
		return "", err
	}
	return ids.AccountID(b), nil
}

// Slugs lists every claimed slug with its owner, for the admin console.
func (c *Catalog) Slugs(ctx context.Context) (map[ids.Slug]ids.AccountID, error) {
	page, err := c.store.List(ctx, slugPrefix, "", 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	out := make(map[ids.Slug]ids.AccountID, len(page.Keys))
	for _, k := range page.Keys {
		owner, _ := k.Metadata["account"].(string)
		out[ids.Slug(strings.TrimPrefix(k.Name, slugPrefix))] = ids.AccountID(owner)
	}
	return out, nil
}

// SetWebhook sets the URL acct's events are delivered to.
func (c *Catalog) SetWebhook(ctx context.Context, acct ids.AccountID, rawURL string) error {
	if u, err := url.Parse(rawURL); err != nil || u.Scheme != "https" || u.Host == "" {
		return ErrBadWebhook
	}
	return c.store.Put(ctx, "webhook/"+acct.String(), []byte(rawURL), kvstore.PutOptions{})
}

// Webhook returns the URL acct's events are delivered to.
func (c *Catalog) Webhook(ctx context.Context, acct ids.AccountID) (string, error) {
	b, err := c.store.Get(ctx, "webhook/"+acct.String())
	if kvstore.IsNotFound(err) {
		return "", fmt.Errorf("catalog: %s has no webhook: %w", acct, err)
	}
	return string(b), err
}

// Tags returns acct's tags.
func (c *Catalog) Tags(ctx context.Context, acct ids.AccountID) ([]string, error) {
	b, err := c.store.Get(ctx, "tags/"+acct.String())
	if kvstore.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var tags []string
	return tags, json.Unmarshal(b, &tags)
}

// AddTag adds tag to acct's tags.
func (c *Catalog) AddTag(ctx context.Context, acct ids.AccountID, tag string) error {
	tags, err := c.Tags(ctx, acct)
	if err != nil {
		return err
	}
	if slices.Contains(tags, tag) {
		return nil
	}
	tags = append(tags, tag)
	slices.Sort(tags)
	b, err := json.Marshal(tags)
	if err != nil {
		return err
	}
	return c.store.Put(ctx, "tags/"+acct.String(), b, kvstore.PutOptions{}) // EXPECT kvrace
}

// schemaHelp is shown next to each schema in the console's schema list, which
// is built from key metadata.
const schemaHelp = `Events posted to your ingest endpoint must be JSON objects matching this schema.
Required fields: "id" (string, unique per event, used to drop duplicates), "type" (string,
one of the event types you registered), "occurred_at" (RFC 3339 timestamp with offset) and
"data" (object). Optional fields: "subject" (string, the entity the event is about, used for
ordering: events with the same subject are delivered in the order received), "trace" (string,
copied to delivery headers as traceparent), "tags" (array of strings, at most 10, each at most
40 characters). Payloads larger than the limit on your plan are rejected with 413. Unknown
top-level fields are rejected with 422 so typos surface early; put anything extra under "data".
Timestamps without an offset are rejected. Numbers in "data" are passed through unchanged, so
send amounts as integer minor units (cents) rather than floats. Field names are case-sensitive.
See the console's Schemas page for examples in curl, Go, Python and TypeScript, and for the
list of reserved type prefixes (estuary., cf., internal.) that your own types may not use.`

// PublishSchema stores acct's JSON schema document.
func (c *Catalog) PublishSchema(ctx context.Context, acct ids.AccountID, version string, doc []byte) error {
	if !json.Valid(doc) {
		return errors.New("catalog: schema is not valid JSON")
	}
	return c.store.Put(ctx, "schema/"+acct.String()+"/"+version, doc, kvstore.PutOptions{
		Metadata: map[string]any{"version": version, "help": schemaHelp}, // EXPECT kvlimits
	})
}
