// Package telemetry ingests device messages and keeps per-device and
// per-tenant usage figures.
package telemetry

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"example.com/fleet/internal/repo"
	"example.com/fleet/internal/storage"
)

// MessageCounter counts ingested messages per device.
type MessageCounter interface {
	Incr(ctx context.Context, deviceID string, n int) error
}

// KVCounters keeps message counts next to the rest of the device data.
type KVCounters struct {
	store storage.Store
}

// NewKVCounters returns a KV-backed MessageCounter.
func NewKVCounters(s storage.Store) *KVCounters { return &KVCounters{store: s} }

func (c *KVCounters) Incr(ctx context.Context, deviceID string, n int) error {
	key := "msgs:" + deviceID + ":" + time.Now().UTC().Format("2006-01-02")
	cur := 0
	raw, err := c.store.Get(ctx, key)
	switch {
	case err == nil:
		if cur, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("corrupt counter %q: %w", key, err)
		}
	case !storage.IsNotFound(err):
		return err
	}
	return c.store.Set(ctx, key, []byte(strconv.Itoa(cur+n)), 48*time.Hour) // EXPECT kvcounter
}

// SQLCounters keeps message counts in D1 (through its SQL driver).
type SQLCounters struct {
	db *sql.DB
}

// NewSQLCounters returns a D1-backed MessageCounter.
func NewSQLCounters(db *sql.DB) *SQLCounters { return &SQLCounters{db: db} }

func (c *SQLCounters) Incr(ctx context.Context, deviceID string, n int) error {
	_, err := c.db.ExecContext(ctx,
		`INSERT INTO device_message_counts (device_id, day, messages) VALUES (?, date('now'), ?)
		 ON CONFLICT (device_id, day) DO UPDATE SET messages = messages + excluded.messages`,
		deviceID, n)
	return err
}

// DOCounters increments through a Durable Object that owns one counter per
// device, so increments are serialised.
type DOCounters struct {
	base   *url.URL
	client *http.Client
}

// NewDOCounters returns a counter backed by the "counters" Durable Object
// namespace, reachable through the internal gateway at base.
func NewDOCounters(base *url.URL, client *http.Client) *DOCounters {
	return &DOCounters{base: base, client: client}
}

func (c *DOCounters) Incr(ctx context.Context, deviceID string, n int) error {
	u := c.base.JoinPath("counters", url.PathEscape(deviceID), "incr")
	body, _ := json.Marshal(map[string]int{"by": n})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("counter DO: %s", resp.Status)
	}
	return nil
}

// Usage is a tenant's consumption for the current billing period.
type Usage struct {
	Tenant   string    `json:"tenant"`
	Period   string    `json:"period"`
	Messages int64     `json:"messages"`
	Bytes    int64     `json:"bytes"`
	Updated  time.Time `json:"updated"`
}

// UsageTracker records per-tenant ingest volume for billing and plan limits.
type UsageTracker struct {
	usage *repo.Repo[Usage]
	now   func() time.Time
}

// NewUsageTracker stores usage documents under "usage:".
func NewUsageTracker(s storage.Store) *UsageTracker {
	return &UsageTracker{
		usage: repo.NewRepo[Usage](s, "usage:", repo.WithTTL(62*24*time.Hour)),
		now:   time.Now,
	}
}

func periodOf(t time.Time) string { return t.UTC().Format("2006-01") }

// Add adds one message of size n bytes to the tenant's usage.
func (u *UsageTracker) Add(ctx context.Context, tenant string, n int) error {
	now := u.now()
	id := tenant + ":" + periodOf(now)
	cur, err := u.usage.Get(ctx, id)
	if err != nil && !errors.Is(err, repo.ErrNotFound) {
		return err
	}
	cur.Tenant, cur.Period = tenant, periodOf(now)
	cur.Messages++
	cur.Bytes += int64(n)
	cur.Updated = now.UTC()
	return u.usage.Put(ctx, id, cur) // EXPECT kvcounter
}

// Current returns the tenant's usage for this period (zero if none).
func (u *UsageTracker) Current(ctx context.Context, tenant string) (Usage, error) {
	cur, err := u.usage.Get(ctx, tenant+":"+periodOf(u.now()))
	if errors.Is(err, repo.ErrNotFound) {
		return Usage{Tenant: tenant, Period: periodOf(u.now())}, nil
	}
	return cur, err
}

// Message is one decoded telemetry message.
type Message struct {
	DeviceID string         `json:"device_id"`
	Tenant   string         `json:"tenant"`
	At       time.Time      `json:"at"`
	Fields   map[string]any `json:"fields"`
}

// Ingester processes messages from the bridge.
type Ingester struct {
	store    storage.Store
	counter  MessageCounter
	usage    *UsageTracker
	log      *slog.Logger
	putState func(ctx context.Context, key string, val []byte, ttl time.Duration) error
}

// NewIngester wires an Ingester.
func NewIngester(s storage.Store, counter MessageCounter, usage *UsageTracker, log *slog.Logger) *Ingester {
	return &Ingester{store: s, counter: counter, usage: usage, log: log, putState: s.Set}
}

// Handle stores the raw message, merges it into the device's last-known state
// and updates the counters.
func (in *Ingester) Handle(ctx context.Context, raw []byte) error {
	var m Message
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("decode message: %w", err)
	}
	// The latest raw message, overwritten on every message; nothing is read.
	if err := in.store.Set(ctx, "last:"+m.DeviceID, raw, 24*time.Hour); err != nil {
		return err
	}

	stateKey := "state:" + m.DeviceID
	state := map[string]any{}
	prev, err := in.store.Get(ctx, stateKey)
	if err == nil {
		if err := json.Unmarshal(prev, &state); err != nil {
			in.log.WarnContext(ctx, "discarding corrupt state", "device", m.DeviceID, "err", err)
			state = map[string]any{}
		}
	} else if !storage.IsNotFound(err) {
		return err
	}
	for k, v := range m.Fields {
		state[k] = v
	}
	state["_at"] = m.At
	merged, _ := json.Marshal(state)
	put := in.putState
	if err := put(ctx, stateKey, merged, 0); err != nil { // EXPECT kvrace
		return err
	}

	if err := in.counter.Incr(ctx, m.DeviceID, 1); err != nil {
		in.log.WarnContext(ctx, "message count failed", "device", m.DeviceID, "err", err)
	}
	return in.usage.Add(ctx, m.Tenant, len(raw))
}
