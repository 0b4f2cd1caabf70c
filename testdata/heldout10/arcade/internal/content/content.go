// Package content mirrors client-facing documents from the CMS into KV so
// the game client can fetch them from the edge.
package content

import (
	"context"
	"fmt"
	"time"

	"example.com/arcade/internal/store"
)

// doc is one mirrored document. key follows the CDN bucket layout the client
// already knows; the bucket root manifest lives at ".".
type doc struct {
	name string
	key  string
	ttl  time.Duration
}

var docs = []doc{
	{name: "motd", key: "doc:motd", ttl: time.Hour},
	{name: "patch-notes", key: "doc:patch-notes", ttl: 6 * time.Hour},
	{name: "events", key: "doc:events", ttl: 6 * time.Hour},
	{name: "manifest", key: ".", ttl: 10 * time.Minute}, // EXPECT kvlimits
}

// Fetcher loads a document body from the CMS.
type Fetcher func(ctx context.Context, name string) ([]byte, error)

type Publisher struct {
	w     store.Writer
	fetch Fetcher
}

func NewPublisher(w store.Writer, fetch Fetcher) *Publisher {
	return &Publisher{w: w, fetch: fetch}
}

// Publish copies every document once; it runs from the hourly cron.
func (p *Publisher) Publish(ctx context.Context) error {
	for _, d := range docs {
		body, err := p.fetch(ctx, d.name)
		if err != nil {
			return fmt.Errorf("content: fetch %s: %w", d.name, err)
		}
		if err := p.w.Put(ctx, d.key, body, store.WithTTL(d.ttl)); err != nil {
			return fmt.Errorf("content: store %s: %w", d.name, err)
		}
	}
	return nil
}
