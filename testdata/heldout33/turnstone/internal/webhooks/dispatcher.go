// Package webhooks delivers tenant webhooks and keeps delivery state in the
// "webhooks" KV namespace, where the dashboard Worker reads it.
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
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/ledgerline/turnstone/internal/config"
	"github.com/ledgerline/turnstone/internal/kvstore"
	"github.com/ledgerline/turnstone/internal/randid"
)

// disableAfter is the number of failed deliveries after which an endpoint
// is switched off until the tenant re-enables it.
const disableAfter = 25

// Endpoint is a tenant's webhook receiver.
type Endpoint struct {
	ID       string
	TenantID string
	URL      string
	Secret   []byte
}

// Event is one outbound event.
type Event struct {
	ID      string          `json:"id"`
	Seq     int64           `json:"seq"`
	Type    string          `json:"type"`
	Created time.Time       `json:"created"`
	Data    json.RawMessage `json:"data"`
}

// DeliveryState is what the dashboard shows for one delivery.
type DeliveryState struct {
	DeliveryID string    `json:"delivery_id"`
	EndpointID string    `json:"endpoint_id"`
	EventID    string    `json:"event_id"`
	Attempt    int       `json:"attempt"`
	Status     string    `json:"status"` // pending, delivered, failed
	HTTPStatus int       `json:"http_status,omitempty"`
	LastError  string    `json:"last_error,omitempty"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Dispatcher delivers events and records their state.
type Dispatcher struct {
	api    *cf.API
	rc     *cf.ResourceContainer
	nsID   string
	ns     *kvstore.Namespace
	client *http.Client
	cfg    *config.Config
	log    *slog.Logger

	mu     sync.Mutex
	states map[string]DeliveryState
}

// New returns a dispatcher writing to ns.
func New(ns *kvstore.Namespace, cfg *config.Config, log *slog.Logger) *Dispatcher {
	api, rc := ns.API()
	return &Dispatcher{
		api: api, rc: rc, nsID: ns.ID(), ns: ns, cfg: cfg,
		client: &http.Client{Timeout: cfg.Webhooks.Timeout.Duration},
		log:    log.With("component", "webhooks"),
		states: make(map[string]DeliveryState),
	}
}

func deliveryKey(endpointID, deliveryID string) string {
	return "delivery:" + endpointID + ":" + deliveryID
}

func (d *Dispatcher) record(st DeliveryState) {
	st.UpdatedAt = time.Now().UTC()
	d.mu.Lock()
	d.states[deliveryKey(st.EndpointID, st.DeliveryID)] = st
	d.mu.Unlock()
}

// RunFlusher writes recorded delivery states to KV on every tick and on
// shutdown.
func (d *Dispatcher) RunFlusher(ctx context.Context) {
	t := time.NewTicker(d.cfg.Intervals.DeliveryFlush.Duration)
	defer t.Stop()
	for {
		select {
		case <-t.C:
			if err := d.flush(ctx); err != nil {
				d.log.Warn("flush delivery states", "err", err)
			}
		case <-ctx.Done():
			final, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			if err := d.flush(final); err != nil {
				d.log.Error("final flush of delivery states", "err", err)
			}
			cancel()
			return
		}
	}
}

func (d *Dispatcher) flush(ctx context.Context) error {
	d.mu.Lock()
	batch := d.states
	d.states = make(map[string]DeliveryState, len(batch))
	d.mu.Unlock()
	if len(batch) == 0 {
		return nil
	}
	ttl := int(d.cfg.TTL.DeliveryState.Seconds())
	pairs := make([]*cf.WorkersKVPair, 0, len(batch))
	for key, st := range batch {
		body, err := json.Marshal(st)
		if err != nil {
			return err
		}
		pairs = append(pairs, &cf.WorkersKVPair{Key: key, Value: string(body), ExpirationTTL: ttl})
	}
	for chunk := range slices.Chunk(pairs, 10_000) {
		if _, err := d.api.WriteWorkersKVEntries(ctx, d.rc, cf.WriteWorkersKVEntriesParams{NamespaceID: d.nsID, KVs: chunk}); err != nil {
			return err
		}
	}
	return nil
}

// Enqueue accepts an event for an endpoint unless it was already accepted,
// and delivers it in the background.
func (d *Dispatcher) Enqueue(ctx context.Context, ep Endpoint, ev Event) (bool, error) {
	marker := "sent:" + ev.ID + ":" + ep.ID
	_, err := d.ns.Get(ctx, marker)
	if err == nil {
		return false, nil
	}
	if !kvstore.IsNotFound(err) {
		return false, err
	}
	if err := d.ns.Put(ctx, marker, time.Now().UTC(), 7*24*time.Hour); err != nil { // EXPECT kvrace
		return false, err
	}
	go d.Deliver(context.WithoutCancel(ctx), ep, ev)
	return true, nil
}

// Deliver posts ev to ep with retries and exponential backoff.
func (d *Dispatcher) Deliver(ctx context.Context, ep Endpoint, ev Event) {
	disabled, err := d.endpointDisabled(ctx, ep.ID)
	if err != nil {
		d.log.Warn("endpoint status", "endpoint", ep.ID, "err", err)
	}
	if disabled {
		return
	}
	deliveryID := randid.New("dlv_", 12)
	if _, err := d.api.WriteWorkersKVEntries(ctx, d.rc, cf.WriteWorkersKVEntriesParams{
		NamespaceID: d.nsID,
		KVs: []*cf.WorkersKVPair{{
			Key:           "lease:" + deliveryID,
			Value:         ep.ID,
			ExpirationTTL: int(d.cfg.Webhooks.LeaseTTL.Seconds()), // DEBATABLE kvttl
		}},
	}); err != nil {
		d.log.Warn("take lease", "delivery", deliveryID, "err", err)
	}

	key := deliveryKey(ep.ID, deliveryID)
	st := DeliveryState{DeliveryID: deliveryID, EndpointID: ep.ID, EventID: ev.ID, Status: "pending"}
	var lastErr error
	for attempt := 1; attempt <= d.cfg.Webhooks.MaxAttempts; attempt++ {
		st.Attempt = attempt
		code, retryAfter, err := d.post(ctx, ep, ev)
		st.HTTPStatus = code
		st.UpdatedAt = time.Now().UTC()
		if err == nil {
			st.Status, st.LastError = "delivered", ""
		} else {
			st.LastError = err.Error()
		}
		if perr := d.ns.Put(ctx, key, st, d.cfg.TTL.DeliveryState.Duration); perr != nil { // DEBATABLE kvhotkey
			d.log.Warn("record attempt", "delivery", deliveryID, "err", perr)
		}
		if err == nil {
			return
		}
		lastErr = err
		if retryAfter > 0 {
			d.noteRetryAfter(ctx, deliveryID, retryAfter)
		}
		wait := max(retryAfter, time.Second<<(attempt-1))
		select {
		case <-time.After(wait):
		case <-ctx.Done():
			return
		}
	}
	st.Status = "failed"
	d.record(st)
	if err := d.ns.AppendJSON(ctx, "recent-failures:"+ep.ID, st, 20, 7*24*time.Hour); err != nil {
		d.log.Warn("append failure", "endpoint", ep.ID, "err", err)
	}
	d.countFailure(ctx, ep.ID, lastErr)
}

// noteRetryAfter tells the dashboard when the receiver asked us to come back.
func (d *Dispatcher) noteRetryAfter(ctx context.Context, deliveryID string, retryAfter time.Duration) {
	_, err := d.api.WriteWorkersKVEntries(ctx, d.rc, cf.WriteWorkersKVEntriesParams{
		NamespaceID: d.nsID,
		KVs: []*cf.WorkersKVPair{{
			Key:           "retry-after:" + deliveryID,
			Value:         time.Now().Add(retryAfter).UTC().Format(time.RFC3339),
			ExpirationTTL: int(retryAfter), // EXPECT kvttl
		}},
	})
	if err != nil {
		d.log.Debug("note retry-after", "delivery", deliveryID, "err", err)
	}
}

func (d *Dispatcher) countFailure(ctx context.Context, endpointID string, cause error) {
	key := "fails:" + endpointID
	n := 0
	raw, err := d.api.GetWorkersKV(ctx, d.rc, cf.GetWorkersKVParams{NamespaceID: d.nsID, Key: key})
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !kvstore.IsNotFound(err) {
		d.log.Warn("read failure count", "endpoint", endpointID, "err", err)
		return
	}
	n++
	if _, err := d.api.WriteWorkersKVEntry(ctx, d.rc, cf.WriteWorkersKVEntryParams{NamespaceID: d.nsID, Key: key, Value: []byte(strconv.Itoa(n))}); err != nil { // EXPECT kvcounter
		d.log.Warn("write failure count", "endpoint", endpointID, "err", err)
		return
	}
	if n >= disableAfter {
		d.log.Warn("disabling endpoint", "endpoint", endpointID, "failures", n, "cause", cause)
		if err := d.ns.Put(ctx, "disabled:"+endpointID, "1", 0); err != nil {
			d.log.Error("disable endpoint", "endpoint", endpointID, "err", err)
		}
	}
}

func (d *Dispatcher) endpointDisabled(ctx context.Context, endpointID string) (bool, error) {
	raw, err := d.api.GetWorkersKV(ctx, d.rc, cf.GetWorkersKVParams{NamespaceID: d.nsID, Key: "disabled:" + endpointID})
	if err != nil {
		return false, fmt.Errorf("read disabled flag: %w", err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		return false, nil
	}
	return string(raw) == "1", nil
}

// DrainOutbox delivers a batch of outbox events in order and records the
// sequence number reached so that a restart resumes after it.
func (d *Dispatcher) DrainOutbox(ctx context.Context, ep Endpoint, events []Event) error {
	for _, ev := range events {
		if _, err := d.Enqueue(ctx, ep, ev); err != nil {
			return err
		}
		if err := d.ns.Put(ctx, "outbox-cursor:"+ep.TenantID, ev.Seq, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func (d *Dispatcher) post(ctx context.Context, ep Endpoint, ev Event) (int, time.Duration, error) {
	body, _ := json.Marshal(ev)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return 0, 0, err
	}
	mac := hmac.New(sha256.New, ep.Secret)
	mac.Write(body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Turnstone-Signature", hex.EncodeToString(mac.Sum(nil)))
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 300 {
		return resp.StatusCode, 0, nil
	}
	secs, _ := strconv.Atoi(resp.Header.Get("Retry-After"))
	return resp.StatusCode, time.Duration(secs) * time.Second, errors.New("receiver returned " + resp.Status)
}
