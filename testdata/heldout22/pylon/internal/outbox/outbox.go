// Package outbox stores messages for other services in KV until a relay has
// delivered them. Records are append-only; the relay deletes them after
// delivery.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/pylon/internal/repo"
	"example.com/pylon/internal/storage"
)

// Record is one outbound message.
type Record struct {
	Topic    string
	Seq      int
	Payload  []byte
	Created  time.Time
	Attempts int
}

// Outbox appends records per topic.
type Outbox struct {
	store storage.ReadWriter
	codec repo.Codec[Record]
	ttl   time.Duration
}

// New returns an Outbox. Undelivered records expire after a week.
func New(store storage.ReadWriter) *Outbox {
	return &Outbox{store: store, codec: repo.JSON[Record]{}, ttl: 7 * 24 * time.Hour}
}

// Prefix is the key prefix of a topic's records.
func Prefix(topic string) string { return "outbox:" + topic + ":" }

func seqKey(topic string) string { return "outbox-seq:" + topic }

func (o *Outbox) nextSeq(ctx context.Context, topic string) (int, error) {
	n := 0
	raw, err := o.store.Get(ctx, seqKey(topic))
	switch {
	case errors.Is(err, storage.ErrNotFound):
	case err != nil:
		return 0, err
	default:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("outbox: corrupt sequence for %s: %w", topic, err)
		}
	}
	n++
	if err := o.store.Put(ctx, seqKey(topic), []byte(strconv.Itoa(n)), storage.PutOptions{}); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n, nil
}

// Publish implements custody.Publisher.
func (o *Outbox) Publish(ctx context.Context, topic string, payload []byte) error {
	seq, err := o.nextSeq(ctx, topic)
	if err != nil {
		return err
	}
	rec := Record{Topic: topic, Seq: seq, Payload: payload, Created: time.Now().UTC()}
	raw, err := o.codec.Encode(rec)
	if err != nil {
		return err
	}
	key := fmt.Sprintf("%s%012d", Prefix(topic), seq)
	return o.store.Put(ctx, key, raw, storage.PutOptions{TTL: o.ttl})
}

// Decode parses a stored record.
func Decode(raw []byte) (Record, error) { return repo.JSON[Record]{}.Decode(raw) }
