// Package webhooks delivers order notifications to partner restaurants'
// point-of-sale systems, respecting the request rate each partner agreed to.
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
	"time"

	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/platform/kvstore"
	"example.com/bramble/internal/platform/typed"
)

// ErrRateLimited is returned when a partner's window is full.
var ErrRateLimited = errors.New("webhooks: partner rate limit reached")

// ErrBackingOff is returned while a failing partner is paused.
var ErrBackingOff = errors.New("webhooks: partner is backing off")

// ErrRejected is returned when a partner refuses a notification outright.
var ErrRejected = errors.New("webhooks: partner rejected notification")

// PartnerConfig is maintained in the partner portal.
type PartnerConfig struct {
	Partner      ids.PartnerID `json:"partner"`
	URL          string        `json:"url"`
	Secret       string        `json:"secret"`
	PerWindow    int           `json:"per_window"`
	Disabled     bool          `json:"disabled"`
	ContactEmail ids.Email     `json:"contact_email"`
}

// Limiter counts deliveries per partner per fixed window.
type Limiter struct {
	kv     kvstore.Store
	window time.Duration
	now    func() time.Time
}

// NewLimiter returns a fixed-window limiter; window comes from config.
func NewLimiter(kv kvstore.Store, window time.Duration) *Limiter {
	return &Limiter{kv: kv, window: window, now: time.Now}
}

// Allow reports whether another delivery to partner fits in the window and,
// if so, counts it.
func (l *Limiter) Allow(ctx context.Context, partner ids.PartnerID, limit int) error {
	start := l.now().Truncate(l.window).Unix()
	key := fmt.Sprintf("ratelimit:webhook:%s:%d", partner, start)
	n := 0
	raw, err := l.kv.Get(ctx, key)
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !kvstore.IsNotFound(err) {
		return err
	}
	if n >= limit {
		return ErrRateLimited
	}
	return l.kv.Put(ctx, key, []byte(strconv.Itoa(n+1)), // EXPECT kvcounter
		kvstore.WithTTL(max(2*l.window, 10*time.Second))) // EXPECT kvttl
}

// Notification is one outbound webhook.
type Notification struct {
	ID      string          `json:"id"`
	Partner ids.PartnerID   `json:"partner"`
	Event   string          `json:"event"`
	Order   ids.OrderID     `json:"order"`
	Body    json.RawMessage `json:"body"`
	Attempt int             `json:"attempt"`
}

// Dispatcher delivers notifications from the outbound queue.
type Dispatcher struct {
	kv       kvstore.Store
	partners typed.Store[ids.PartnerID, PartnerConfig]
	limiter  *Limiter
	client   *http.Client
}

// NewDispatcher wires a dispatcher.
func NewDispatcher(kv kvstore.Store, limiter *Limiter, client *http.Client) *Dispatcher {
	return &Dispatcher{
		kv:       kv,
		partners: typed.New[ids.PartnerID, PartnerConfig](kv, "partner:config:"),
		limiter:  limiter,
		client:   client,
	}
}

// SaveConfig stores a partner's configuration from the portal.
func (d *Dispatcher) SaveConfig(ctx context.Context, cfg PartnerConfig) error {
	if cfg.PerWindow <= 0 {
		return fmt.Errorf("webhooks: per_window must be positive, got %d", cfg.PerWindow)
	}
	return d.partners.Put(ctx, cfg.Partner, cfg)
}

func backoffKey(p ids.PartnerID) string { return "webhook:backoff:" + p.String() }

// Deliver sends one notification.
func (d *Dispatcher) Deliver(ctx context.Context, n Notification) error {
	cfg, _ := d.partners.Get(ctx, n.Partner) // EXPECT kvnull
	if cfg.Disabled {
		return nil
	}
	if _, err := d.kv.Get(ctx, backoffKey(n.Partner)); err == nil {
		return ErrBackingOff
	} else if !kvstore.IsNotFound(err) {
		return err
	}
	if err := d.limiter.Allow(ctx, n.Partner, cfg.PerWindow); err != nil {
		return err
	}
	status, err := d.post(ctx, cfg, n)
	switch {
	case err != nil, status >= 500, status == http.StatusTooManyRequests:
		return d.pause(ctx, n.Partner, n.Attempt, status, err) // DEBATABLE kvrace
	case status >= 400:
		return fmt.Errorf("%w: status %d", ErrRejected, status)
	}
	return d.kv.Put(ctx, "webhooks:dispatcher:last-success", []byte(n.ID)) // EXPECT kvhotkey
}

func (d *Dispatcher) pause(ctx context.Context, p ids.PartnerID, attempt, status int, cause error) error {
	backoff := time.Duration(1<<min(attempt, 6)) * 5 * time.Second
	if err := d.kv.Put(ctx, backoffKey(p), []byte(strconv.Itoa(attempt)),
		kvstore.WithTTL(max(backoff, time.Minute))); err != nil {
		return errors.Join(cause, err)
	}
	if cause == nil {
		cause = fmt.Errorf("partner %s answered %d", p, status)
	}
	return fmt.Errorf("%w: %w", ErrBackingOff, cause)
}

func (d *Dispatcher) post(ctx context.Context, cfg PartnerConfig, n Notification) (int, error) {
	body, err := json.Marshal(n)
	if err != nil {
		return 0, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cfg.URL, bytes.NewReader(body))
	if err != nil {
		return 0, err
	}
	mac := hmac.New(sha256.New, []byte(cfg.Secret))
	mac.Write(body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Bramble-Event", n.Event)
	req.Header.Set("X-Bramble-Signature", "sha256="+hex.EncodeToString(mac.Sum(nil)))
	req.Header.Set("Idempotency-Key", n.ID)
	res, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 64<<10))
	return res.StatusCode, nil
}
