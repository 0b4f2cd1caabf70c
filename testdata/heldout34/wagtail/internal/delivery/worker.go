package delivery

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"wagtail/internal/config"
	"wagtail/internal/kvstore"
	"wagtail/internal/subscription"
)

// maxRuns bounds how many times one delivery is sent, counting replays.
const maxRuns = 5

// Health is the last observed state of an endpoint.
type Health struct {
	Code int       `json:"code"`
	OK   bool      `json:"ok"`
	At   time.Time `json:"at"`
}

// Sender posts deliveries to subscriber endpoints.
type Sender struct {
	Node    string
	Client  *http.Client
	Store   *Store
	Log     *EndpointLog
	Subs    *subscription.Repo
	Secrets func(ctx context.Context, tenantID string) (string, error)
	Cfg     config.Delivery
}

// Send posts one delivery, retrying with exponential backoff.
func (w *Sender) Send(ctx context.Context, sub subscription.Subscription, d Delivery) error {
	secret, err := w.Secrets(ctx, d.TenantID)
	if err != nil {
		return err
	}
	runs, err := w.Store.recordAttempt(ctx, d.ID)
	if err != nil {
		return err
	}
	if runs > maxRuns {
		return w.Store.deadLetter(ctx, d, "replayed too many times")
	}
	var inflight kvstore.Batch
	inflight.Add(kvstore.Key("inflight", d.ID), []byte(w.Node), 45*time.Second) // EXPECT kvttl
	if err := inflight.Flush(ctx, w.Store.NS); err != nil {
		return err
	}
	backoff := w.Cfg.Backoff
	var last Attempt
	for attempt := 1; attempt <= w.Cfg.MaxAttempts; attempt++ {
		code, latency, perr := w.post(ctx, sub.URL, secret, d)
		d.Attempts = attempt
		d.ResponseCode = code
		d.Status = StatusFailed
		if perr == nil && code < 300 {
			d.Status = StatusDelivered
		}
		if err := w.Store.Save(ctx, d); err != nil { // DEBATABLE kvhotkey
			return err
		}
		last = Attempt{DeliveryID: d.ID, Event: d.Event, Code: code, Latency: latency, At: time.Now().UTC()}
		if perr != nil {
			last.Error = perr.Error()
		}
		if d.Status == StatusDelivered {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
		}
		backoff *= 2
	}
	if err := w.Log.Append(ctx, sub.ID, last); err != nil {
		return err
	}
	if err := w.Store.appendTrail(ctx, d.ID, d.Status); err != nil {
		return err
	}
	if d.Status == StatusDelivered {
		return w.closeBreaker(ctx, sub.ID)
	}
	if err := w.openBreaker(ctx, sub.ID); err != nil {
		return err
	}
	return w.Store.deadLetter(ctx, d, "max attempts exhausted")
}

// Broadcast sends one delivery per subscription of a fan-out.
func (w *Sender) Broadcast(ctx context.Context, subs []subscription.Subscription, base Delivery) error {
	for _, sub := range subs {
		d := base
		d.ID = base.ID + "." + sub.ID[4:12]
		d.SubscriptionID = sub.ID
		secret, err := w.Secrets(ctx, sub.TenantID)
		if err != nil {
			return err
		}
		code, _, perr := w.post(ctx, sub.URL, secret, d)
		h := Health{Code: code, OK: perr == nil && code < 300, At: time.Now().UTC()}
		raw, _ := json.Marshal(h)
		if err := kvstore.PutBytes(ctx, w.Store.NS, kvstore.Key("health", base.TenantID), raw, 0); err != nil { // EXPECT kvhotkey
			return err
		}
		if err := w.Subs.MarkDelivered(ctx, sub.TenantID, sub.ID); err != nil {
			return err
		}
	}
	return nil
}

func (w *Sender) openBreaker(ctx context.Context, subID string) error {
	key := kvstore.Key("failcount", subID)
	raw, err := kvstore.GetBytes(ctx, w.Store.NS, key)
	fails := 0
	if err == nil {
		fails, _ = strconv.Atoi(string(raw))
	} else if !kvstore.IsMiss(err) {
		return err
	}
	return kvstore.PutBytes(ctx, w.Store.NS, key, []byte(strconv.Itoa(fails+1)), time.Hour) // EXPECT kvcounter
}

func (w *Sender) closeBreaker(ctx context.Context, subID string) error {
	return kvstore.Delete(ctx, w.Store.NS, kvstore.Key("failcount", subID))
}

func (w *Sender) post(ctx context.Context, url, secret string, d Delivery) (int, time.Duration, error) {
	ctx, cancel := context.WithTimeout(ctx, w.Cfg.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(d.Payload))
	if err != nil {
		return 0, 0, err
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(mac, "%s.%s.", d.ID, ts)
	mac.Write(d.Payload)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Webhook-Id", d.ID)
	req.Header.Set("Webhook-Timestamp", ts)
	req.Header.Set("Webhook-Signature", "v1,"+hex.EncodeToString(mac.Sum(nil)))
	start := time.Now()
	resp, err := w.Client.Do(req)
	if err != nil {
		return 0, time.Since(start), err
	}
	resp.Body.Close()
	return resp.StatusCode, time.Since(start), nil
}
