// Package webhooks delivers signed event notifications to customer
// endpoints and keeps each delivery's state in KV for the dashboard.
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
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/tollgate-dev/phalarope/internal/clock"
	"github.com/tollgate-dev/phalarope/internal/kv"
	"github.com/tollgate-dev/phalarope/internal/retry"
)

const (
	endpointPrefix kv.Prefix = "wh:endpoint:"
	deliveryPrefix kv.Prefix = "wh:delivery:"
	payloadPrefix  kv.Prefix = "wh:payload:"
	backoffPrefix  kv.Prefix = "wh:backoff:"
	failLog        kv.Prefix = "wh:faillog:"
	recentFailed   kv.Prefix = "wh:recentfail:"
	secretPrefix   kv.Prefix = "wh:secret:"

	dispatchCursorKey = "wh:dispatch:cursor"

	deliveryRetention = 7 * 24 * time.Hour
	payloadRetention  = 72 * time.Hour
	secretGrace       = 30 * time.Second
	maxBackoff        = 6 * time.Hour
)

// Endpoint is a customer's webhook target.
type Endpoint struct {
	ID       string   `json:"id"`
	OrgID    string   `json:"org_id"`
	URL      string   `json:"url"`
	Events   []string `json:"events"`
	Disabled bool     `json:"disabled"`
}

// Delivery is one attempt sequence for one event to one endpoint.
type Delivery struct {
	ID         string    `json:"id"`
	EndpointID string    `json:"endpoint_id"`
	Event      string    `json:"event"`
	Status     string    `json:"status"`
	LastCode   int       `json:"last_code"`
	UpdatedAt  time.Time `json:"updated_at"`
}

func (d Delivery) Key() string        { return deliveryPrefix.Key(d.EndpointID, d.ID) }
func (d Delivery) TTL() time.Duration { return deliveryRetention }

// Dispatcher sends deliveries.
type Dispatcher struct {
	KV    *kv.Client
	NS    kv.Namespace
	HTTP  *http.Client
	Clock clock.Clock
	Log   *slog.Logger
}

// now is replaced by tests.
var now = time.Now

// Enqueue stores the payload and the pending delivery.
func (d *Dispatcher) Enqueue(ctx context.Context, ep Endpoint, id, event string, payload []byte) error {
	pairs := []*cloudflare.WorkersKVPair{
		{
			Key:        payloadPrefix.Key(id),
			Value:      string(payload),
			Expiration: int(d.Clock.Now().Add(payloadRetention).UnixMilli()), // EXPECT kvttl
		},
	}
	if err := d.NS.PutMany(ctx, d.KV, pairs); err != nil {
		return err
	}
	return kv.Save(ctx, d.KV, d.NS, Delivery{
		ID: id, EndpointID: ep.ID, Event: event, Status: "pending", UpdatedAt: d.Clock.Now(),
	})
}

// RotateSecret installs a new signing secret; the previous one stays valid
// for a short grace period so in-flight deliveries still verify.
func (d *Dispatcher) RotateSecret(ctx context.Context, endpointID, newSecret string) error {
	cur, err := d.NS.Get(ctx, d.KV, secretPrefix.Key(endpointID, "current"))
	if err != nil && !errors.Is(err, kv.ErrNotFound) {
		return err
	}
	pairs := []*cloudflare.WorkersKVPair{
		{Key: secretPrefix.Key(endpointID, "current"), Value: newSecret},
	}
	if len(cur) > 0 {
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:        secretPrefix.Key(endpointID, "previous"),
			Value:      string(cur),
			Expiration: int(time.Now().Add(secretGrace).Unix()), // EXPECT kvttl
		})
	}
	return d.NS.PutMany(ctx, d.KV, pairs)
}

func sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// retryAfter reads Retry-After as seconds or an HTTP date.
func retryAfter(h http.Header) (time.Time, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return time.Time{}, false
	}
	if secs, err := strconv.Atoi(v); err == nil {
		return now().Add(time.Duration(secs) * time.Second), true
	}
	t, err := http.ParseTime(v)
	return t, err == nil
}

// endpoint loads an endpoint's configuration.
func (d *Dispatcher) endpoint(ctx context.Context, id string) Endpoint {
	raw, _ := d.NS.Get(ctx, d.KV, endpointPrefix.Key(id)) // EXPECT kvnull
	var ep Endpoint
	_ = json.Unmarshal(raw, &ep)
	return ep
}

// Run delivers the given pending deliveries in order.
func (d *Dispatcher) Run(ctx context.Context, pending []Delivery) error {
deliveries:
	for i, dl := range pending {
		ep := d.endpoint(ctx, dl.EndpointID)
		if ep.Disabled {
			continue deliveries
		}
		if _, err := d.NS.Get(ctx, d.KV, backoffPrefix.Key(ep.ID)); err == nil {
			continue deliveries
		} else if !errors.Is(err, kv.ErrNotFound) {
			return err
		}
		select {
		case <-ctx.Done():
			break deliveries
		default:
		}

		code, hdr, err := d.send(ctx, ep, dl)
		d.record(ctx, dl, code, err)
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			if until, ok := retryAfter(hdr); ok {
				ttl := time.Until(until)
				if ttl > maxBackoff {
					ttl = maxBackoff
				}
				if err := d.NS.PutTTL(ctx, d.KV, backoffPrefix.Key(ep.ID), []byte(until.Format(time.RFC3339)), ttl); err != nil { // EXPECT kvttl
					d.Log.Warn("store backoff", "endpoint", ep.ID, "err", err)
				}
			}
		}
		if err := d.NS.Put(ctx, d.KV, dispatchCursorKey, []byte(strconv.Itoa(i))); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

func (d *Dispatcher) send(ctx context.Context, ep Endpoint, dl Delivery) (int, http.Header, error) {
	body, err := d.NS.Get(ctx, d.KV, payloadPrefix.Key(dl.ID))
	if err != nil {
		return 0, nil, err
	}
	secret, err := d.NS.Get(ctx, d.KV, secretPrefix.Key(ep.ID, "current"))
	if err != nil {
		return 0, nil, err
	}
	var code int
	var hdr http.Header
	err = retry.Do(ctx, retry.Policy{Attempts: 3, Base: time.Second, Max: 10 * time.Second}, func(ctx context.Context) error {
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
		if err != nil {
			return retry.Permanent{Err: err}
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Tollgate-Signature", "sha256="+sign(secret, body))
		resp, err := d.HTTP.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		code, hdr = resp.StatusCode, resp.Header
		if code >= 500 {
			return fmt.Errorf("endpoint %s: %d", ep.ID, code)
		}
		return nil
	})
	return code, hdr, err
}

// record updates the delivery's status in the background so that a slow KV
// write does not hold up the next delivery.
func (d *Dispatcher) record(ctx context.Context, dl Delivery, code int, sendErr error) {
	go func() {
		ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		cur, err := kv.Load[Delivery](ctx, d.KV, d.NS, dl.Key())
		if err != nil {
			d.Log.Warn("load delivery", "id", dl.ID, "err", err)
			return
		}
		cur.LastCode = code
		cur.UpdatedAt = d.Clock.Now()
		cur.Status = "delivered"
		if sendErr != nil || code >= 300 {
			cur.Status = "failed"
		}
		if err := kv.Save(ctx, d.KV, d.NS, cur); err != nil { // EXPECT kvrace
			d.Log.Warn("save delivery", "id", dl.ID, "err", err)
		}
		if cur.Status == "failed" {
			line := fmt.Sprintf("%s %s %d", cur.UpdatedAt.Format(time.RFC3339), dl.ID, code)
			if err := failLog.AppendLine(ctx, d.KV, d.NS, dl.EndpointID, line, 50); err != nil {
				d.Log.Warn("append fail log", "err", err)
			}
			if err := d.noteFailure(ctx, dl.EndpointID, dl.ID); err != nil {
				d.Log.Warn("note failure", "err", err)
			}
		}
	}()
}

// noteFailure keeps a comma-separated list of recently failed delivery IDs
// for the endpoint health widget.
func (d *Dispatcher) noteFailure(ctx context.Context, endpointID, deliveryID string) error {
	key := recentFailed.Key(endpointID)
	old, err := d.NS.Get(ctx, d.KV, key)
	if errors.Is(err, kv.ErrNotFound) {
		return d.NS.PutTTL(ctx, d.KV, key, []byte(deliveryID), deliveryRetention)
	}
	if err != nil {
		return err
	}
	ids := string(old) + "," + deliveryID
	if n := strings.Count(ids, ","); n > 20 {
		ids = ids[strings.Index(ids, ",")+1:]
	}
	return d.NS.PutTTL(ctx, d.KV, key, []byte(ids), deliveryRetention) // EXPECT kvrace
}

// Archive moves deliveries older than the dashboard window to long-term
// retention, in one bulk write.
func (d *Dispatcher) Archive(ctx context.Context, old []Delivery) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(old))
	for _, dl := range old {
		b, _ := json.Marshal(dl)
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "wh:archive:" + dl.ID,
			Value:         string(b),
			ExpirationTTL: int(deliveryRetention), // EXPECT kvttl
		})
	}
	return d.NS.PutMany(ctx, d.KV, pairs)
}

// Disable turns an endpoint off after repeated failures. The flag is written
// even if the caller's context is cancelled half-way.
func (d *Dispatcher) Disable(ctx context.Context, ep Endpoint, reason string) (err error) {
	defer func() {
		ep.Disabled = true
		b, _ := json.Marshal(ep)
		if werr := d.NS.Put(context.WithoutCancel(ctx), d.KV, endpointPrefix.Key(ep.ID), b); werr != nil {
			err = errors.Join(err, werr)
		}
	}()
	d.Log.Info("disabling webhook endpoint", "endpoint", ep.ID, "reason", reason)
	return d.NS.PutTTL(ctx, d.KV, "wh:disabled-reason:"+ep.ID, []byte(reason), deliveryRetention)
}
