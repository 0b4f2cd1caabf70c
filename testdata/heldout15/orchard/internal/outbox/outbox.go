// Package outbox stores outgoing messages next to the data that produced them
// and relays them to the message bus from a background job.
package outbox

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/kvstore"
)

const (
	prefix        = "outbox/msg/"
	checkpointKey = "outbox/checkpoint"
	// maxBody keeps the message inside the key metadata (1 KiB after
	// base64 and JSON overhead), so the relay never has to read values.
	maxBody = 600
)

var ErrTooLarge = errors.New("outbox: message body too large")

type Outbox struct {
	store kvstore.Store
	ttl   time.Duration
}

func New(store kvstore.Store, cfg config.Outbox) *Outbox {
	return &Outbox{store: store, ttl: cfg.TTL.D()}
}

// Enqueue records a message. Keys sort by creation time.
func (o *Outbox) Enqueue(ctx context.Context, topic string, body []byte) error {
	if len(body) > maxBody {
		return fmt.Errorf("%w: %d bytes", ErrTooLarge, len(body))
	}
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	key := fmt.Sprintf("%s%020d-%s", prefix, time.Now().UnixNano(), hex.EncodeToString(suffix[:]))
	return o.store.Put(ctx, key, nil, kvstore.PutOptions{
		TTL: o.ttl,
		Metadata: map[string]string{
			"topic": topic,
			"body":  base64.StdEncoding.EncodeToString(body),
		},
	})
}

// Publisher delivers a message to the bus.
type Publisher interface {
	Publish(ctx context.Context, topic string, body []byte) error
}

// Relay delivers queued messages in key order.
type Relay struct {
	store    kvstore.Store
	pub      Publisher
	maxPages int
	pageSize int
}

func NewRelay(store kvstore.Store, pub Publisher, cfg config.Outbox) *Relay {
	return &Relay{store: store, pub: pub, maxPages: cfg.MaxPages, pageSize: cfg.PageSize}
}

// Drain publishes messages newer than the checkpoint. It stops at the first
// delivery failure so ordering is preserved.
func (r *Relay) Drain(ctx context.Context) (sent int, err error) {
	last, err := r.store.Get(ctx, checkpointKey)
	if err != nil && !kvstore.IsNotFound(err) {
		return 0, err
	}
	q := kvstore.ListQuery{Prefix: prefix, Limit: r.pageSize}
pages:
	for page := 0; page < r.maxPages; page++ {
		p, err := r.store.List(ctx, q)
		if err != nil {
			return sent, err
		}
		for _, k := range p.Keys {
			if k.Name <= string(last) {
				continue
			}
			body, err := base64.StdEncoding.DecodeString(k.Metadata["body"])
			if err != nil {
				slog.WarnContext(ctx, "outbox: skipping undecodable message", "key", k.Name, "err", err)
				continue
			}
			if err := r.pub.Publish(ctx, k.Metadata["topic"], body); err != nil {
				slog.WarnContext(ctx, "outbox: publish failed; will retry", "key", k.Name, "err", err)
				break pages
			}
			sent++
			if err := r.store.Put(ctx, checkpointKey, []byte(k.Name), kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
				return sent, err
			}
		}
		if p.Complete {
			break
		}
		q.Cursor = p.Cursor
	}
	return sent, nil
}
