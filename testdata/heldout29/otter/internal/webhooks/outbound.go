package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"example.com/otter/internal/events"
	"example.com/otter/internal/kvport"
	"example.com/otter/internal/kvstore/cfkv6"
)

// DeliveryStore keeps delivery history, payloads and endpoint settings.
type DeliveryStore interface {
	RecordAttempt(ctx context.Context, id, endpoint string, a cfkv6.Attempt) error
	MarkSent(ctx context.Context, ids []string, at time.Time) error
	SavePayload(ctx context.Context, id string, payload []byte) error
	Payload(ctx context.Context, id string) ([]byte, error)
	SigningSecret(ctx context.Context, endpointID string) ([]byte, error)
	EndpointURL(ctx context.Context, endpointID string) (string, error)
}

// Dispatcher delivers the platform's webhooks to customer endpoints.
type Dispatcher struct {
	store   DeliveryStore
	pending kvport.Store
	client  *http.Client
	log     *slog.Logger
}

func NewDispatcher(store DeliveryStore, pending kvport.Store, log *slog.Logger) *Dispatcher {
	return &Dispatcher{store: store, pending: pending, client: &http.Client{Timeout: 10 * time.Second}, log: log}
}

// pendingMeta is stored as key metadata so that a listing carries the
// endpoint without a read per key.
type pendingMeta struct {
	Endpoint string `json:"ep"`
}

// Subscribe forwards domain events to the tenant's endpoint.
func (d *Dispatcher) Subscribe(bus *events.Bus) {
	bus.Subscribe("webhooks", func(ctx context.Context, e events.Event) error {
		var tenant string
		switch ev := e.(type) {
		case events.InvoiceFinalized:
			tenant = ev.Tenant
		case events.InvoicePaid:
			tenant = ev.Tenant
		case events.PaymentReceived:
			tenant = ev.Tenant
		default:
			return nil
		}
		return d.Enqueue(ctx, "ep_"+tenant, e.EventName(), e)
	})
}

// Enqueue stores a delivery and makes a first attempt in the background.
func (d *Dispatcher) Enqueue(ctx context.Context, endpointID, typ string, data any) error {
	var b [12]byte
	_, _ = rand.Read(b[:])
	id := "dlv_" + hex.EncodeToString(b[:])
	payload, err := json.Marshal(map[string]any{"id": id, "type": typ, "created": time.Now().UTC(), "data": data})
	if err != nil {
		return err
	}
	if err := d.store.SavePayload(ctx, id, payload); err != nil {
		return err
	}
	opts := &kvport.PutOpts{TTL: 7 * 24 * time.Hour, Metadata: pendingMeta{Endpoint: endpointID}}
	if err := d.pending.Put(ctx, id, []byte(endpointID), opts); err != nil {
		return err
	}
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		d.deliver(ctx, id, endpointID)
	}()
	return nil
}

func (d *Dispatcher) deliver(ctx context.Context, id, endpointID string) bool {
	attempt := cfkv6.Attempt{At: time.Now().UTC()}
	url, err := d.store.EndpointURL(ctx, endpointID)
	var payload, secret []byte
	if err == nil {
		payload, err = d.store.Payload(ctx, id)
	}
	if err == nil {
		secret, err = d.store.SigningSecret(ctx, endpointID)
	}
	var req *http.Request
	if err == nil {
		req, err = http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(payload))
	}
	if err == nil {
		mac := hmac.New(sha256.New, secret)
		mac.Write(payload)
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Otter-Signature", hex.EncodeToString(mac.Sum(nil)))
		var res *http.Response
		if res, err = d.client.Do(req); err == nil {
			attempt.Status = res.StatusCode
			res.Body.Close()
		}
	}
	if err != nil {
		attempt.Error = err.Error()
	}
	if err := d.store.RecordAttempt(ctx, id, endpointID, attempt); err != nil {
		d.log.Warn("record attempt", "delivery", id, "err", err)
	}
	if attempt.Status/100 != 2 {
		return false
	}
	return d.pending.Delete(ctx, id) == nil
}

// Redeliver retries pending deliveries. It is run by the scheduler.
func (d *Dispatcher) Redeliver(ctx context.Context) error {
	page, err := d.pending.List(ctx, kvport.ListQuery{Limit: 1000}) // EXPECT kvlist
	if err != nil {
		return err
	}
	var sent []string
	for _, k := range page.Keys {
		var m pendingMeta
		if err := json.Unmarshal(k.Metadata, &m); err != nil || m.Endpoint == "" {
			d.log.Warn("pending delivery without endpoint", "delivery", k.Name)
		} else if d.deliver(ctx, k.Name, m.Endpoint) {
			sent = append(sent, k.Name)
		}
	}
	if len(sent) == 0 {
		return nil
	}
	return d.store.MarkSent(ctx, sent, time.Now())
}
