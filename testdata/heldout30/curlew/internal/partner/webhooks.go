// Package partner manages the shippers that hand parcels to curlew: their
// API keys, quotas and outbound webhooks.
package partner

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"example.com/curlew/internal/jobs"
	"example.com/curlew/internal/kv"
	"example.com/curlew/internal/upstream"
)

// ErrBackoff is returned while a partner endpoint asked us to wait.
var ErrBackoff = errors.New("partner: endpoint backing off")

// Event is one outbound notification.
type Event struct {
	ID       string    `json:"id"`
	Type     string    `json:"type"`
	ParcelID string    `json:"parcel_id"`
	At       time.Time `json:"at"`
}

type subscriptions struct {
	Endpoints []string  `json:"endpoints"`
	Updated   time.Time `json:"updated"`
}

// Webhooks manages partner subscriptions and delivers events to them.
type Webhooks struct {
	store   kv.Store
	queue   *jobs.Queue
	client  *http.Client
	maxSubs int
}

// NewWebhooks returns the webhook service.
func NewWebhooks(s kv.Store, q *jobs.Queue, client *http.Client) *Webhooks {
	return &Webhooks{store: s, queue: q, client: client, maxSubs: 5}
}

func subsKey(partnerID string) string { return "webhooks:" + partnerID }

// Subscribe adds an endpoint for partnerID. Called from the partner API.
func (w *Webhooks) Subscribe(ctx context.Context, partnerID, endpoint string) error {
	return kv.Update(ctx, w.store, subsKey(partnerID), func(s *subscriptions) error { // EXPECT kvrace
		if slices.Contains(s.Endpoints, endpoint) {
			return nil
		}
		if len(s.Endpoints) >= w.maxSubs {
			return fmt.Errorf("partner: at most %d endpoints", w.maxSubs)
		}
		s.Endpoints = append(s.Endpoints, endpoint)
		s.Updated = time.Now().UTC()
		return nil
	})
}

func (w *Webhooks) endpoints(ctx context.Context, partnerID string) ([]string, error) {
	var s subscriptions
	err := kv.GetJSON(ctx, w.store, subsKey(partnerID), &s)
	if kv.IsNotFound(err) {
		return nil, nil
	}
	return s.Endpoints, err
}

// Fanout queues delivery of events to partnerID, oldest first. After each
// delivery the partner's cursor moves on so a restart resumes from there.
func (w *Webhooks) Fanout(partnerID string, events []Event) {
	for _, ev := range events {
		body, err := json.Marshal(ev)
		if err != nil {
			continue
		}
		w.queue.Push("webhook:"+partnerID, func(ctx context.Context) error {
			if err := w.post(ctx, partnerID, body); err != nil {
				return err
			}
			return w.store.Put(ctx, "webhook-cursor:"+partnerID, []byte(ev.ID)) // EXPECT kvhotkey
		})
	}
}

func (w *Webhooks) post(ctx context.Context, partnerID string, body []byte) error {
	if _, err := w.store.Get(ctx, "webhook-backoff:"+partnerID); err == nil {
		return ErrBackoff
	}
	eps, err := w.endpoints(ctx, partnerID)
	if err != nil {
		return err
	}
	var errs []error
	for _, ep := range eps {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep, bytes.NewReader(body))
		if err != nil {
			errs = append(errs, err)
			continue
		}
		req.Header.Set("Content-Type", "application/json")
		resp, err := w.client.Do(req)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusTooManyRequests {
			ra, _ := upstream.RetryAfter(resp.Header, time.Now())
			backoff := max(ra, 5*time.Second) // EXPECT kvttl
			errs = append(errs, w.store.Put(ctx, "webhook-backoff:"+partnerID, []byte(ep), kv.WithTTL(backoff)), ErrBackoff)
		} else if resp.StatusCode >= 300 {
			errs = append(errs, fmt.Errorf("partner: %s answered %d", ep, resp.StatusCode))
		}
	}
	return errors.Join(errs...)
}

// EndpointCount returns how many endpoints all partners have registered, for
// the operations dashboard. It reads at most maxPages pages.
func (w *Webhooks) EndpointCount(ctx context.Context, maxPages int) (int, error) {
	total := 0
	page, err := w.store.List(ctx, kv.ListParams{Prefix: "webhooks:", Limit: 200})
	for i := 0; err == nil && i < maxPages; i++ {
		total += len(page.Keys)
		if page.Complete {
			return total, nil
		}
		page, err = w.store.List(ctx, kv.ListParams{Cursor: page.Cursor, Limit: 200}) // EXPECT kvlist
	}
	return total, err
}
