// Package alerts consumes device alerts from the alert queue, throttles them
// and notifies the on-call channel.
package alerts

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

	"github.com/cloudflare/cloudflare-go"

	"veery/internal/kvstore"
)

// Alert is the message devices and the ingest pipeline publish.
type Alert struct {
	ID       string    `json:"id"`
	Device   string    `json:"device"`
	Fleet    string    `json:"fleet"`
	Rule     string    `json:"rule"`
	Severity string    `json:"severity"`
	At       time.Time `json:"at"`
	Detail   string    `json:"detail,omitempty"`
}

// Notifier posts notifications to a webhook.
type Notifier struct {
	WebhookURL string
	SMSURL     string
	HTTP       *http.Client
}

func (n *Notifier) post(ctx context.Context, url string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := n.HTTP.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("notifier: %s: %s", url, resp.Status)
	}
	return nil
}

// Throttler decides which alerts reach people.
type Throttler struct {
	KV        *kvstore.Store
	NS        string
	Window    time.Duration
	PerMinute int
	SMSPerDay int
	Notify    *Notifier

	mu      sync.Mutex
	smsSent map[string]int
}

// Outcome says what happened to one alert.
type Outcome string

// Outcomes.
const (
	Sent        Outcome = "sent"
	Throttled   Outcome = "throttled"
	RateLimited Outcome = "rate-limited"
	Muted       Outcome = "muted"
)

// Handle processes one alert.
func (t *Throttler) Handle(ctx context.Context, a Alert) (Outcome, error) {
	muted, err := t.isMuted(ctx, a)
	if err != nil {
		return "", err
	}
	if muted {
		return Muted, nil
	}

	throttleKey := fmt.Sprintf("alert-throttle:%s:%s", a.Device, a.Rule)
	if _, err := t.KV.Get(ctx, t.NS, throttleKey); err == nil {
		return Throttled, nil
	} else if !kvstore.IsNotFound(err) {
		return "", err
	}
	ttl := max(2*t.Window, 3*time.Second)                                       // EXPECT kvttl
	if err := t.KV.Put(ctx, t.NS, throttleKey, []byte(a.ID), ttl); err != nil { // EXPECT kvrace
		return "", err
	}

	rlKey := fmt.Sprintf("ratelimit:alerts:%s:%d", a.Fleet, a.At.Unix()/60)
	raw, _ := t.KV.Get(ctx, t.NS, rlKey) // EXPECT kvnull
	n, _ := strconv.Atoi(string(raw))
	if n >= t.PerMinute {
		return RateLimited, nil
	}
	if err := t.KV.Put(ctx, t.NS, rlKey, []byte(strconv.Itoa(n+1)), 2*time.Minute); err != nil { // EXPECT kvcounter|kvrace
		return "", err
	}

	if err := t.Notify.post(ctx, t.Notify.WebhookURL, a); err != nil {
		return "", err
	}
	if a.Severity == "critical" {
		if err := t.sendSMS(ctx, a); err != nil {
			slog.Warn("alerts: sms", "alert", a.ID, "err", err)
		}
	}
	if err := t.record(ctx, a); err != nil {
		slog.Warn("alerts: history", "alert", a.ID, "err", err)
	}
	return Sent, nil
}

func (t *Throttler) sendSMS(ctx context.Context, a Alert) error {
	day := time.Now().UTC().Format("20060102")
	t.mu.Lock()
	if t.smsSent == nil {
		t.smsSent = map[string]int{}
	}
	sent := t.smsSent[a.Fleet+day]
	if sent >= t.SMSPerDay {
		t.mu.Unlock()
		return fmt.Errorf("sms quota for fleet %s exhausted", a.Fleet)
	}
	t.smsSent[a.Fleet+day] = sent + 1
	t.mu.Unlock()

	if err := t.Notify.post(ctx, t.Notify.SMSURL, map[string]string{"fleet": a.Fleet, "text": a.Rule + " on " + a.Device}); err != nil {
		return err
	}
	remaining := t.SMSPerDay - (sent + 1)
	key := fmt.Sprintf("sms-quota:%s:%s", a.Fleet, day)
	return t.KV.Put(ctx, t.NS, key, []byte(strconv.Itoa(remaining)), 36*time.Hour) // EXPECT kvcounter
}

// record keeps the alert for the console's history view, and an "open"
// marker that expires when the throttle window does.
func (t *Throttler) record(ctx context.Context, a Alert) error {
	key := fmt.Sprintf("alert:%s:%s:%s", a.Fleet, a.At.UTC().Format("20060102T150405"), a.ID)
	if err := t.KV.PutJSON(ctx, t.NS, key, a, 30*24*time.Hour); err != nil {
		return err
	}
	_, err := t.KV.API().WriteWorkersKVEntries(ctx, t.KV.Account(), cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: t.NS,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        "alert-open:" + a.ID,
			Value:      a.Rule,
			Expiration: int(a.At.Add(t.Window).UnixMilli()), // EXPECT kvttl
		}},
	})
	return err
}

func rulesKey(fleet string) string { return "rules:" + fleet }

func (t *Throttler) isMuted(ctx context.Context, a Alert) (bool, error) {
	rules := map[string]struct {
		MutedUntil int64 `json:"muted_until"`
	}{}
	err := t.KV.GetJSON(ctx, t.NS, rulesKey(a.Fleet), &rules)
	if kvstore.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	r, ok := rules[a.Rule]
	return ok && time.Now().Unix() < r.MutedUntil, nil
}

// Mute silences a rule for a fleet until the given time.
func (t *Throttler) Mute(ctx context.Context, fleet, rule string, until time.Time) error {
	return t.KV.UpdateJSON(ctx, t.NS, rulesKey(fleet), 0, func(m map[string]any) error {
		m[rule] = map[string]any{"muted_until": until.Unix()}
		return nil
	})
}

// Unmute removes a rule's mute.
func (t *Throttler) Unmute(ctx context.Context, fleet, rule string) error {
	return t.KV.UpdateJSON(ctx, t.NS, rulesKey(fleet), 0, func(m map[string]any) error {
		delete(m, rule)
		return nil
	})
}

// Snooze hides one device's alerts for d, set from the console.
func (t *Throttler) Snooze(ctx context.Context, device string, d time.Duration) error {
	return t.KV.PutCached(ctx, t.NS, "snooze:"+device, []byte(time.Now().Add(d).Format(time.RFC3339)), d)
}
