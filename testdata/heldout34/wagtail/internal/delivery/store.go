// Package delivery sends webhook deliveries and keeps their status, attempt
// history and per-endpoint logs in KV.
package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"wagtail/internal/kvstore"
)

// ErrNotFound is returned for an unknown delivery.
var ErrNotFound = fmt.Errorf("delivery: %w", kvstore.ErrMiss)

// Status values of a delivery.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
	StatusDead      = "dead"
)

// Delivery is one event sent to one subscription.
type Delivery struct {
	ID             string          `json:"id"`
	TenantID       string          `json:"tenant_id"`
	SubscriptionID string          `json:"subscription_id"`
	Event          string          `json:"event"`
	Payload        json.RawMessage `json:"payload"`
	Status         string          `json:"status"`
	Attempts       int             `json:"attempts"`
	ResponseCode   int             `json:"response_code,omitempty"`
	CreatedAt      time.Time       `json:"created_at"`
	UpdatedAt      time.Time       `json:"updated_at"`
}

// Store keeps deliveries under dlv:<id>.
type Store struct {
	kvstore.Base
	trails kvstore.Loader
}

// NewStore returns a Store in namespace ns.
func NewStore(ns string) *Store {
	return &Store{Base: kvstore.NewBase(ns, kvstore.KindDelivery), trails: kvstore.FromNamespace(ns)}
}

// Enqueue stores a new pending delivery.
func (s *Store) Enqueue(ctx context.Context, d Delivery) error {
	d.Status = StatusPending
	d.CreatedAt = time.Now().UTC()
	d.UpdatedAt = d.CreatedAt
	return s.PutDefault(ctx, s.KeyOf(d.ID), d)
}

// Save writes the current state of a delivery.
func (s *Store) Save(ctx context.Context, d Delivery) error {
	d.UpdatedAt = time.Now().UTC()
	return s.PutDefault(ctx, s.KeyOf(d.ID), d)
}

// Get returns a delivery.
func (s *Store) Get(ctx context.Context, id string) (Delivery, error) {
	var d Delivery
	err := s.GetJSON(ctx, s.KeyOf(id), &d)
	if errors.Is(err, kvstore.ErrMiss) {
		return d, ErrNotFound
	}
	return d, err
}

// Status returns only the status field of a delivery, for the polling API.
func (s *Store) Status(ctx context.Context, id string) (string, error) {
	raw, err := kvstore.API.GetWorkersKV(ctx, kvstore.Account, cloudflare.GetWorkersKVParams{
		NamespaceID: s.NS,
		Key:         s.KeyOf(id),
	})
	if err != nil {
		return "", fmt.Errorf("delivery status: %w", err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		return "", ErrNotFound
	}
	var d struct {
		Status string `json:"status"`
	}
	if err := json.Unmarshal(raw, &d); err != nil {
		return "", err
	}
	return d.Status, nil
}

// recordAttempt counts a send of the delivery and returns the new total.
func (s *Store) recordAttempt(ctx context.Context, id string) (int, error) {
	key := kvstore.Key("attempts", id)
	n := 0
	raw, err := kvstore.GetBytes(ctx, s.NS, key)
	switch {
	case kvstore.IsMiss(err):
	case err != nil:
		return 0, err
	default:
		if n, err = strconv.Atoi(string(raw)); err != nil {
			return 0, err
		}
	}
	n++
	if err := kvstore.PutBytes(ctx, s.NS, key, []byte(strconv.Itoa(n)), kvstore.KindDelivery.TTL()); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n, nil
}

// appendTrail adds a status transition to the delivery's audit trail.
func (s *Store) appendTrail(ctx context.Context, id, status string) error {
	key := kvstore.Key("trail", id)
	prev, err := s.trails.Load(ctx, key)
	if err != nil && !kvstore.IsMiss(err) {
		return err
	}
	entry := time.Now().UTC().Format(time.RFC3339) + " " + status
	trail := entry
	if len(prev) > 0 {
		trail = string(prev) + "\n" + entry
	}
	return kvstore.PutBytes(ctx, s.NS, key, []byte(trail), kvstore.KindDelivery.TTL()) // EXPECT kvrace
}

const deadLetterRunbook = `This delivery exhausted its retry budget and was moved to the dead-letter
store. Operators: (1) check the endpoint health page for the subscription and
confirm the receiver is returning 2xx for the test event; (2) look at the last
response code and body excerpt in the delivery log; 4xx responses other than
408 and 429 usually mean the receiver rejects the payload or the signature, so
ask the tenant to verify their signing secret and the timestamp tolerance;
(3) 5xx or timeouts mean the receiver is down or slow, so confirm the tenant
has been notified by the automated email; (4) once the receiver is healthy,
replay from the dashboard or with POST /v1/deliveries/{id}/replay, or use the
bulk replay job for a time window; (5) dead letters are retained for thirty
days and then dropped; export them first if the tenant needs an audit copy.
Escalate to the integrations on-call if more than fifty endpoints of one tenant
go dead within an hour, because that usually points at an outage on our side
rather than on theirs, for example an expired egress certificate, a DNS change
on the delivery fleet, or a faulty deploy of the signer.`

// deadLetter moves a delivery that exhausted its retries aside.
func (s *Store) deadLetter(ctx context.Context, d Delivery, reason string) error {
	d.Status = StatusDead
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	retainUntil := time.Now().Add(30 * 24 * time.Hour)
	return kvstore.PutWithMeta(ctx, s.NS, kvstore.Key("dead", d.TenantID, d.ID), raw,
		map[string]any{"reason": reason, "runbook": deadLetterRunbook}, // EXPECT kvlimits
		retainUntil.UnixMilli()) // EXPECT kvttl
}

// Requeue stores a copy of a dead delivery as pending, with an expiry on
// the dead-letter record.
func (s *Store) Requeue(ctx context.Context, tenantID, id string) error {
	var d Delivery
	if err := s.GetJSON(ctx, kvstore.Key("dead", tenantID, id), &d); err != nil {
		return err
	}
	d.Attempts = 0
	if err := s.Enqueue(ctx, d); err != nil {
		return err
	}
	meta := map[string]any{"reason": "requeued", "by": "api"}
	return kvstore.PutWithMeta(ctx, s.NS, kvstore.Key("dead", tenantID, id), []byte(id), meta, time.Now().Add(30*time.Second).Unix())
}
