// Package notify delivers result-ready and status notifications to ordering
// clinicians and partner labs from the outbox.
package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/pylon/internal/fp"
	"example.com/pylon/internal/outbox"
	"example.com/pylon/internal/pool"
	"example.com/pylon/internal/retry"
	"example.com/pylon/internal/storage"
)

// Message is what a Sender delivers.
type Message struct {
	To      string
	Subject string
	Body    string
	Ref     string
}

// Sender delivers one message (email, SMS or partner webhook).
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// Render turns an outbox record into a message.
type Render func(outbox.Record) (Message, error)

// Relay moves one topic's records from the outbox to a Sender.
type Relay struct {
	topic   string
	lister  storage.Lister
	reader  storage.Reader
	bulk    storage.BulkReader
	writer  storage.Writer
	sender  Sender
	render  Render
	workers int
	timeout time.Duration
	policy  retry.Policy
	log     *slog.Logger
}

// RelayOption configures a Relay.
type RelayOption func(*Relay)

// WithWorkers sets the number of concurrent sends.
func WithWorkers(n int) RelayOption { return func(r *Relay) { r.workers = n } }

// NewRelay wires a Relay for topic.
func NewRelay(topic string, store storage.Store, sender Sender, render Render, opts ...RelayOption) *Relay {
	r := &Relay{
		topic:   topic,
		lister:  store,
		reader:  store,
		bulk:    store,
		writer:  store,
		sender:  sender,
		render:  render,
		workers: 4,
		timeout: 10 * time.Second,
		policy:  retry.Policy{Attempts: 3, Base: time.Second, Max: 10 * time.Second},
		log:     slog.Default(),
	}
	for _, o := range opts {
		o(r)
	}
	return r
}

type pending struct {
	key string
	rec outbox.Record
}

// DrainOnce delivers up to one page of records and reports whether more
// are waiting. Records are fetched one by one so a record deleted by a
// concurrent relay is simply skipped.
func (r *Relay) DrainOnce(ctx context.Context) (bool, error) {
	page, err := r.lister.List(ctx, storage.ListOptions{Prefix: outbox.Prefix(r.topic), Limit: 200})
	if err != nil {
		return false, err
	}
	var work []pending
	for _, k := range page.Keys {
		raw, err := r.reader.Get(ctx, k.Name) // EXPECT kvlist
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return false, err
		}
		rec, err := outbox.Decode(raw)
		if err != nil {
			r.log.Warn("skipping undecodable outbox record", "key", k.Name, "err", err)
			continue
		}
		work = append(work, pending{key: k.Name, rec: rec})
	}
	return !page.Complete, r.deliver(ctx, work)
}

// DrainBatch is DrainOnce for high-volume topics: one list page of at most
// storage.MaxBulkGet keys and a single bulk read.
func (r *Relay) DrainBatch(ctx context.Context) (bool, error) {
	page, err := r.lister.List(ctx, storage.ListOptions{Prefix: outbox.Prefix(r.topic), Limit: storage.MaxBulkGet})
	if err != nil {
		return false, err
	}
	live := fp.Filter(page.Keys, func(k storage.KeyInfo) bool { return k.Expiration.IsZero() || k.Expiration.After(time.Now()) })
	keys := fp.Map(live, func(k storage.KeyInfo) string { return k.Name })
	vals, err := r.bulk.GetMany(ctx, keys)
	if err != nil {
		return false, err
	}
	var work []pending
	for _, k := range keys {
		raw, ok := vals[k]
		if !ok {
			continue
		}
		if rec, err := outbox.Decode(raw); err == nil {
			work = append(work, pending{key: k, rec: rec})
		}
	}
	return !page.Complete, r.deliver(ctx, work)
}

func (r *Relay) deliver(ctx context.Context, work []pending) error {
	send := func(ctx context.Context, p pending) (string, error) {
		msg, err := r.render(p.rec)
		if err != nil {
			return p.key, retry.Permanent(err)
		}
		err = r.policy.Do(ctx, func() error {
			sctx, cancel := context.WithTimeout(ctx, r.timeout)
			defer cancel()
			return r.sender.Send(sctx, msg)
		})
		return p.key, err
	}
	results := pool.Run(ctx, r.workers, pool.Feed(ctx, work), send)
	var errs []error
	for res := range results {
		if res.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", res.Value, res.Err))
			continue
		}
		if err := r.writer.Delete(ctx, res.Value); err != nil {
			errs = append(errs, err)
			continue
		}
		stamp := []byte(time.Now().UTC().Format(time.RFC3339Nano))
		if err := r.writer.Put(ctx, "notify:"+r.topic+":last-delivery", stamp, storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			r.log.Warn("could not record delivery time", "err", err)
		}
	}
	return errors.Join(errs...)
}
