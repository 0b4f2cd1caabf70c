// Package webhooks delivers booking and rate notifications to OTA
// partners and keeps per-delivery retry state.
package webhooks

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"sync"
	"time"

	"pochard/internal/kv"
	"pochard/internal/opt"
	"pochard/internal/workqueue"
)

// Store is the slice of the KV namespace this package needs.
type Store interface {
	Lookup(ctx context.Context, key string) ([]byte, bool, error)
	Put(ctx context.Context, key string, value []byte, o kv.PutOptions) error
	Delete(ctx context.Context, key string) error
}

// Delivery is one outbound webhook.
type Delivery struct {
	ID      string          `json:"id"`
	Channel string          `json:"channel"`
	URL     string          `json:"url"`
	Payload json.RawMessage `json:"payload"`
}

const maxAttempts = 8

// Dispatcher drains the outbound queue and posts to partners.
type Dispatcher struct {
	Store  Store
	Client *http.Client

	mu       sync.Mutex
	attempts map[string]int
}

var _ workqueue.Handler = (*Dispatcher)(nil)

// NewDispatcher returns a dispatcher.
func NewDispatcher(store Store, client *http.Client) *Dispatcher {
	return &Dispatcher{Store: store, Client: client, attempts: make(map[string]int)}
}

// HandleBatch posts each delivery, acking successes and scheduling
// retries with backoff.
func (d *Dispatcher) HandleBatch(ctx context.Context, q workqueue.Queue, batch []workqueue.Message) error {
	var delivered int
	for _, m := range batch {
		var del Delivery
		if err := json.Unmarshal(m.Body, &del); err != nil {
			_ = q.Ack(ctx, m.ID)
			continue
		}
		if err := d.post(ctx, del); err != nil {
			d.mu.Lock()
			d.attempts[del.ID]++
			n := d.attempts[del.ID]
			d.mu.Unlock()
			_ = d.Store.Put(ctx, "webhook:attempts:"+del.ID, []byte(strconv.Itoa(n)), kv.PutOptions{TTL: opt.Ptr(72 * time.Hour)}) // EXPECT kvcounter
			if n >= maxAttempts {
				go d.deadLetter(context.WithoutCancel(ctx), del)
				_ = q.Ack(ctx, m.ID)
				continue
			}
			_ = q.Retry(ctx, m.ID, time.Duration(1<<min(n, 6))*time.Second)
			continue
		}
		delivered++
		_ = q.Ack(ctx, m.ID)
		_ = d.Store.Put(ctx, "webhooks:cursor", []byte(m.ID), kv.PutOptions{}) // EXPECT kvhotkey
	}
	summary, _ := json.Marshal(map[string]any{"at": time.Now().Unix(), "size": len(batch), "delivered": delivered})
	return d.Store.Put(ctx, "webhooks:last-batch", summary, kv.PutOptions{})
}

func (d *Dispatcher) post(ctx context.Context, del Delivery) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, del.URL, bytes.NewReader(del.Payload))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Pochard-Delivery", del.ID)
	res, err := d.Client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("webhook %s: partner answered %d", del.ID, res.StatusCode)
	}
	return nil
}

// deadLetter appends a delivery to its channel's dead-letter list so an
// operator can replay it.
func (d *Dispatcher) deadLetter(ctx context.Context, del Delivery) {
	key := "webhooks:dead:" + del.Channel
	raw, found, err := d.Store.Lookup(ctx, key)
	if err != nil {
		slog.Error("dead letter read", "err", err)
		return
	}
	var ids []string
	if found {
		_ = json.Unmarshal(raw, &ids)
	}
	ids = append(ids, del.ID)
	out, _ := json.Marshal(ids)
	if err := d.Store.Put(ctx, key, out, kv.PutOptions{}); err != nil { // EXPECT kvrace
		slog.Error("dead letter write", "err", err)
	}
}

// Redeliver is called when an operator replays a delivery by hand.
func (d *Dispatcher) Redeliver(ctx context.Context, del Delivery) error {
	if err := bumpRetries(ctx, d.Store, del.ID); err != nil {
		return err
	}
	return d.post(ctx, del)
}

func bumpRetries(ctx context.Context, store Store, deliveryID string) error {
	key := "webhook:retries:" + deliveryID
	raw, found, err := store.Lookup(ctx, key)
	if err != nil {
		return err
	}
	var n int64
	if found {
		if n, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return err
		}
	}
	return store.Put(ctx, key, []byte(strconv.FormatInt(n+1, 10)), kv.PutOptions{TTL: opt.Ptr(7 * 24 * time.Hour)}) // EXPECT kvcounter|kvrace
}

// Forget removes retry state once a delivery succeeded by hand.
func (d *Dispatcher) Forget(ctx context.Context, deliveryID string) error {
	return d.Store.Delete(ctx, "webhook:retries:"+deliveryID)
}
