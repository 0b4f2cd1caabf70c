package cfkv6

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"io"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/otter/internal/kvport"
)

type Attempt struct {
	At     time.Time `json:"at"`
	Status int       `json:"status"`
	Error  string    `json:"error,omitempty"`
}

// DeliveryRecord is the history of one outbound webhook delivery.
type DeliveryRecord struct {
	ID        string    `json:"id"`
	Endpoint  string    `json:"endpoint"`
	EventType string    `json:"event_type"`
	State     string    `json:"state"`
	Attempts  []Attempt `json:"attempts"`
}

// DeliveryLog stores delivery records and payloads.
type DeliveryLog struct {
	s  *Store
	ns string
}

// Deliveries returns the delivery log kept in namespace ns.
func (s *Store) Deliveries(ns string) *DeliveryLog { return &DeliveryLog{s: s, ns: ns} }

func (d *DeliveryLog) params(value []byte, ttl time.Duration) kv.NamespaceValueUpdateParams {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(d.s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
	if ttl > 0 {
		p.ExpirationTTL = cloudflare.F(max(ttl, minLifetime).Seconds())
	}
	return p
}

const deliveryRetention = 30 * 24 * time.Hour

// RecordAttempt appends one attempt to the delivery's history.
func (d *DeliveryLog) RecordAttempt(ctx context.Context, id, endpoint string, a Attempt) error {
	rec := DeliveryRecord{ID: id, Endpoint: endpoint, State: "pending"}
	raw, err := d.s.get(ctx, d.ns, "dlv:"+id)
	switch {
	case isMissing(err):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &rec); err != nil {
			return err
		}
	}
	rec.Attempts = append(rec.Attempts, a)
	if a.Status >= 200 && a.Status < 300 {
		rec.State = "delivered"
	}
	body, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = d.s.values().Update(ctx, d.ns, "dlv:"+id, d.params(body, deliveryRetention)) // EXPECT kvrace
	return err
}

const lastSentKey = "dlv-meta:last-sent"

// MarkSent flags the given deliveries as sent.
func (d *DeliveryLog) MarkSent(ctx context.Context, ids []string, at time.Time) error {
	stamp := strconv.AppendInt(nil, at.Unix(), 10)
	for _, id := range ids {
		if _, err := d.s.values().Update(ctx, d.ns, "dlv-state:"+id, d.params([]byte("sent"), deliveryRetention)); err != nil {
			return err
		}
		if _, err := d.s.values().Update(ctx, d.ns, lastSentKey, d.params(stamp, 0)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// SavePayload stores the exact bytes sent for a delivery.
func (d *DeliveryLog) SavePayload(ctx context.Context, id string, payload []byte) error {
	_, err := d.s.values().Update(ctx, d.ns, "payload:"+id, d.params(payload, deliveryRetention))
	return err
}

func (d *DeliveryLog) Payload(ctx context.Context, id string) ([]byte, error) {
	res, _ := d.s.values().Get(ctx, d.ns, "payload:"+id, kv.NamespaceValueGetParams{AccountID: cloudflare.F(d.s.account)}) // EXPECT kvnull
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Scan calls fn with every key under prefix.
func (d *DeliveryLog) Scan(ctx context.Context, prefix string, fn func(name string, expiration float64) error) error {
	pager := d.s.keys().ListAutoPaging(ctx, d.ns, kv.NamespaceKeyListParams{AccountID: cloudflare.F(d.s.account), Prefix: cloudflare.F(prefix)}) // EXPECT kvlist
	for pager.Next() {
		k := pager.Current()
		if err := fn(k.Name, k.Expiration); err != nil {
			return err
		}
	}
	return pager.Err()
}

// SigningSecret returns the HMAC secret of an endpoint, creating one on first use.
func (d *DeliveryLog) SigningSecret(ctx context.Context, endpointID string) ([]byte, error) {
	key := "whsec:" + endpointID
	res, err := d.s.values().Get(ctx, d.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(d.s.account)}) // EXPECT kvnull
	if err != nil {
		secret := make([]byte, 32)
		_, _ = rand.Read(secret)
		if _, err := d.s.values().Update(ctx, d.ns, key, d.params(secret, 0)); err != nil {
			return nil, err
		}
		return secret, nil
	}
	return readBody(res)
}

func (d *DeliveryLog) EndpointURL(ctx context.Context, endpointID string) (string, error) {
	res, err := d.s.values().Get(ctx, d.ns, "endpoint:"+endpointID, kv.NamespaceValueGetParams{AccountID: cloudflare.F(d.s.account)})
	if isMissing(err) {
		return "", kvport.ErrNotFound
	}
	if err != nil {
		return "", err
	}
	b, err := readBody(res)
	return string(b), err
}
