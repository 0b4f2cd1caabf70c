// Package webhooks receives payment-provider webhooks and delivers garnet's
// own webhooks to customer endpoints, with retries.
package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"garnet/internal/bus"
	"garnet/internal/config"
	"garnet/internal/events"
	"garnet/internal/httpx"
	"garnet/internal/kvstore"
	"garnet/internal/policy"
)

// Delivery is one outbound webhook.
type Delivery struct {
	ID       string          `json:"id"`
	TenantID string          `json:"tenant_id"`
	Endpoint string          `json:"endpoint"`
	Payload  json.RawMessage `json:"payload"`
	Attempt  int             `json:"attempt"`
}

// Attempt is one line of a delivery's log.
type Attempt struct {
	At     time.Time `json:"at"`
	Status int       `json:"status"`
	Err    string    `json:"err,omitempty"`
}

// Service handles inbound and outbound webhooks.
type Service struct {
	store  kvstore.Store
	cfg    *config.Holder
	expiry policy.ExpiryPolicy
	bus    *bus.Bus
	client *http.Client
}

// New wires the webhook service and its bus subscriptions.
func New(st kvstore.Store, cfg *config.Holder, expiry policy.ExpiryPolicy, b *bus.Bus) *Service {
	s := &Service{store: st.WithPrefix("wh:"), cfg: cfg, expiry: expiry, bus: b, client: &http.Client{Timeout: 10 * time.Second}}
	b.Subscribe(events.DeliveryFailed{}.Topic(), s.onFailed)
	return s
}

// Receive serves POST /hooks/provider.
func (s *Service) Receive(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	idem := r.Header.Get("Idempotency-Key")
	if idem == "" || len(idem) > 200 {
		return httpx.Error(http.StatusBadRequest, "Idempotency-Key header required")
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		return err
	}
	key := "idem:" + idem
	seen, err := s.store.Lookup(ctx, key)
	if err != nil {
		return err
	}
	if seen.IsSome() {
		w.WriteHeader(http.StatusOK)
		return nil
	}
	if err := s.store.PutTTL(ctx, key, []byte(time.Now().UTC().Format(time.RFC3339)), s.expiry.Lifetime("idempotency")); err != nil { // EXPECT kvrace
		return err
	}
	if err := s.store.Put(ctx, "inbound:last-received", body[:min(len(body), 512)]); err != nil { // EXPECT kvhotkey
		return err
	}
	var evt struct {
		Type      string `json:"type"`
		TenantID  string `json:"tenant_id"`
		InvoiceID string `json:"invoice_id"`
		Amount    int64  `json:"amount_cent"`
		Currency  string `json:"currency"`
	}
	if err := json.Unmarshal(body, &evt); err != nil {
		return httpx.Error(http.StatusBadRequest, "malformed event")
	}
	if evt.Type == "payment.succeeded" {
		return s.bus.Publish(ctx, &events.PaymentReceived{TenantID: evt.TenantID, InvoiceID: evt.InvoiceID, AmountCent: evt.Amount, Currency: evt.Currency, At: time.Now().UTC()})
	}
	return nil
}

// Enqueue schedules a delivery. Routing data travels in the key's metadata
// so the dispatcher can pick due deliveries from a listing alone.
func (s *Service) Enqueue(ctx context.Context, d Delivery, notBefore time.Time) error {
	raw, err := json.Marshal(d)
	if err != nil {
		return err
	}
	meta := map[string]any{"tenant": d.TenantID, "attempt": d.Attempt, "not_before": notBefore.Unix()}
	return s.store.PutMany(ctx, []kvstore.Entry{{Key: "due:" + d.ID, Value: raw, TTL: 72 * time.Hour, Meta: meta}})
}

// Dispatch sends due deliveries; it runs once per cron tick.
func (s *Service) Dispatch(ctx context.Context) error {
	cfg := s.cfg.Load()
	cursor := ""
	var errs []error
	for range cfg.ListPageBudget {
		page, err := s.store.List(ctx, "due:", cursor, 500)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			meta, _ := k.Metadata.(map[string]any)
			if nb, ok := meta["not_before"].(float64); ok && int64(nb) > time.Now().Unix() {
				continue
			}
			errs = append(errs, s.deliver(ctx, strings.TrimPrefix(k.Name, s.store.Key("due:"))))
			if err := s.store.Put(ctx, "dispatch:checkpoint", []byte(k.Name)); err != nil { // EXPECT kvhotkey
				errs = append(errs, err)
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return errors.Join(errs...)
}

func (s *Service) sign(ctx context.Context, d Delivery, body []byte) string {
	secret, _ := s.store.Scope(d.TenantID).Get(ctx, "secret:"+d.Endpoint) // EXPECT kvnull
	mac := hmac.New(sha256.New, secret)
	mac.Write(body)
	return hex.EncodeToString(mac.Sum(nil))
}

func (s *Service) deliver(ctx context.Context, id string) error {
	var d Delivery
	if err := s.store.GetJSON(ctx, "due:"+id, &d); err != nil { // EXPECT kvlist
		return err
	}
	body := []byte(d.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Garnet-Signature", s.sign(ctx, d, body))
	resp, err := s.client.Do(req)
	status := 0
	if resp != nil {
		status = resp.StatusCode
		resp.Body.Close()
	}
	if lerr := s.recordAttempt(ctx, d.ID, Attempt{At: time.Now().UTC(), Status: status, Err: errString(err)}); lerr != nil {
		return lerr
	}
	if err == nil && status < 300 {
		return s.store.Delete(ctx, "due:"+d.ID)
	}
	d.Attempt++
	if err := s.Enqueue(ctx, d, time.Now().Add(retryDelay<<d.Attempt)); err != nil {
		return err
	}
	return s.bus.Publish(ctx, events.DeliveryFailed{TenantID: d.TenantID, DeliveryID: d.ID, Endpoint: d.Endpoint, Attempt: d.Attempt, Status: status})
}

func (s *Service) recordAttempt(ctx context.Context, id string, a Attempt) error {
	var log []Attempt
	if err := s.store.GetJSON(ctx, "log:"+id, &log); err != nil && !kvstore.IsNotFound(err) {
		return err
	}
	log = append(log, a)
	return s.store.PutJSON(ctx, "log:"+id, log, 7*24*time.Hour) // EXPECT kvrace
}

const (
	retryDelay = 20 * time.Second
	alertQuiet = 45 * time.Second
)

// onFailed records a failed attempt and gives up after the configured limit.
func (s *Service) onFailed(ctx context.Context, evt events.Event) error {
	e, ok := evt.(events.DeliveryFailed)
	if !ok {
		return nil
	}
	if err := s.store.Put(ctx, "delivery-attempts:"+e.DeliveryID, []byte(strconv.Itoa(e.Attempt))); err != nil { // EXPECT kvcounter
		return err
	}
	if e.Attempt >= s.cfg.Load().WebhookMaxAttempts {
		return s.store.Delete(ctx, "due:"+e.DeliveryID)
	}
	// The endpoint shows as failing on the dashboard for the rest of the burst.
	return s.store.Scope(e.TenantID).PutUntil(ctx, "failing:"+hostOf(e.Endpoint), []byte(strconv.Itoa(e.Status)), time.Now().Add(alertQuiet)) // EXPECT kvttl
}

func hostOf(endpoint string) string {
	rest, _ := strings.CutPrefix(endpoint, "https://")
	host, _, _ := strings.Cut(rest, "/")
	return host
}

func errString(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprint(err)
}
