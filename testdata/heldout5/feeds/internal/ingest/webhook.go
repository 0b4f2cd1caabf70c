package ingest

import (
	"context"
	"errors"
	"time"

	"example.com/feeds/internal/crawler"
	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/kvjson"
)

// ErrDuplicate is returned, with the original receipt, for a replayed
// delivery.
var ErrDuplicate = errors.New("ingest: duplicate delivery")

// Payload is one webhook delivery.
type Payload struct {
	FeedID  string         `json:"feed_id"`
	Section string         `json:"section"`
	Items   []crawler.Item `json:"items"`
}

// Receipt is returned to the publisher and replayed for duplicates.
type Receipt struct {
	Accepted  int       `json:"accepted"`
	Published int       `json:"published"`
	At        time.Time `json:"at"`
}

// Webhook accepts pushed items.
type Webhook struct {
	store   kv.Store
	limiter *Limiter
	ingest  func(ctx context.Context, feed crawler.Feed, items []crawler.Item) (int, error)
}

// NewWebhook wires the webhook. ingest is usually Publisher.Ingest.
func NewWebhook(store kv.Store, limiter *Limiter, ingest func(context.Context, crawler.Feed, []crawler.Item) (int, error)) *Webhook {
	return &Webhook{store: store, limiter: limiter, ingest: ingest}
}

// Deliver processes a delivery identified by the publisher's
// Idempotency-Key header.
func (w *Webhook) Deliver(ctx context.Context, publisherID, idemKey string, p Payload) (Receipt, error) {
	if err := w.limiter.Allow(ctx, publisherID); err != nil {
		return Receipt{}, err
	}
	key := "idem:" + publisherID + ":" + idemKey
	prev, seen, err := kvjson.GetJSON[Receipt](ctx, w.store, key)
	if err != nil {
		return Receipt{}, err
	}
	if seen {
		return prev, ErrDuplicate
	}

	n, err := w.ingest(ctx, crawler.Feed{ID: publisherID + "/" + p.FeedID, Section: p.Section}, p.Items)
	if err != nil {
		return Receipt{}, err
	}
	r := Receipt{Accepted: len(p.Items), Published: n, At: time.Now().UTC()}
	if err := kvjson.PutJSON(ctx, w.store, key, r, kv.PutOptions{TTL: 24 * time.Hour}); err != nil { // EXPECT kvrace
		return r, err
	}
	return r, nil
}
