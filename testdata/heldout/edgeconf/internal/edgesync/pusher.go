// Package edgesync pushes compiled tenant configuration into the edge KV
// namespace that the Workers read, and collects what the edge reports back.
package edgesync

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"time"

	"example.com/edgeconf/internal/storage"
	"example.com/edgeconf/internal/storage/kvhttp"
)

const apiValueURL = "https://api.cloudflare.com/client/v4/accounts/%s/storage/kv/namespaces/%s/values/%s"

// Config is the pusher's static configuration.
type Config struct {
	AccountID   string
	NamespaceID string
	APIToken    string
	NodeID      string
	SnapshotTTL time.Duration
	StaleTTL    time.Duration
}

// SnapshotSource yields the compiled snapshot of every tenant that changed.
type SnapshotSource interface {
	Changed(ctx context.Context, since time.Time) (map[string][]byte, error)
}

// Release is one entry of a tenant's deploy manifest.
type Release struct {
	Version   int       `json:"version"`
	Digest    string    `json:"digest"`
	Publisher string    `json:"publisher"`
	At        time.Time `json:"at"`
}

type manifest struct {
	TenantID string    `json:"tenant_id"`
	Releases []Release `json:"releases"`
}

// Pusher writes snapshots to the edge namespace.
type Pusher struct {
	cfg    Config
	kv     *kvhttp.Client
	hc     *http.Client
	source SnapshotSource
	log    *slog.Logger
}

// NewPusher wires a pusher.
func NewPusher(cfg Config, c *kvhttp.Client, hc *http.Client, src SnapshotSource, log *slog.Logger) *Pusher {
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	return &Pusher{cfg: cfg, kv: c, hc: hc, source: src, log: log}
}

// putRaw is the fast path for small single values: one PUT, TTL in seconds.
func (p *Pusher) putRaw(ctx context.Context, key string, body []byte, ttlSeconds int) error {
	u := fmt.Sprintf(apiValueURL+"?expiration_ttl=%d", p.cfg.AccountID, p.cfg.NamespaceID, url.PathEscape(key), ttlSeconds)
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader(body))
	if err != nil {
		return err
	}
	return p.send(req)
}

func (p *Pusher) send(req *http.Request) error {
	req.Header.Set("Authorization", "Bearer "+p.cfg.APIToken)
	res, err := p.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("edgesync: %s %s: status %d", req.Method, req.URL.Path, res.StatusCode)
	}
	return nil
}

// Heartbeat advertises this node to the edge's /status page.
func (p *Pusher) Heartbeat(ctx context.Context) error {
	payload, _ := json.Marshal(map[string]any{"node": p.cfg.NodeID, "at": time.Now().UTC()})
	return p.putRaw(ctx, "node:"+p.cfg.NodeID, payload, 30) // EXPECT kvttl
}

// MarkPublished records the version the edge should be serving.
func (p *Pusher) MarkPublished(ctx context.Context, tenantID string, version int) error {
	return p.putRaw(ctx, "published:"+tenantID, []byte(strconv.Itoa(version)), 3600)
}

// PushChanged pushes every snapshot changed since the given time in bulk.
func (p *Pusher) PushChanged(ctx context.Context, since time.Time) (int, error) {
	snaps, err := p.source.Changed(ctx, since)
	if err != nil {
		return 0, err
	}
	tenants := make([]string, 0, len(snaps))
	for t := range snaps {
		tenants = append(tenants, t)
	}
	sort.Strings(tenants)
	pairs := make([]kvhttp.Pair, 0, len(snaps))
	for _, t := range tenants {
		pairs = append(pairs, kvhttp.Pair{
			Key:           "edge:" + t,
			Value:         string(snaps[t]),
			ExpirationTTL: int(p.cfg.SnapshotTTL.Seconds()),
		})
	}
	if err := p.kv.BulkPut(ctx, pairs); err != nil {
		return 0, err
	}
	return len(pairs), nil
}

// stalePairs builds tombstones for tenants whose snapshot was withdrawn; the
// edge keeps serving "stale" until they expire.
func stalePairs(tenants []string, ttl time.Duration) []kvhttp.Pair {
	out := make([]kvhttp.Pair, 0, len(tenants))
	for _, t := range tenants {
		out = append(out, kvhttp.Pair{
			Key:           "edge:" + t,
			Value:         `{"stale":true}`,
			ExpirationTTL: int(ttl), // EXPECT kvttl
		})
	}
	return out
}

// Withdraw replaces the snapshots of the given tenants with tombstones.
func (p *Pusher) Withdraw(ctx context.Context, tenants []string) error {
	return p.kv.BulkPut(ctx, stalePairs(tenants, p.cfg.StaleTTL))
}

// PublishPreview makes a draft snapshot available at the preview hostname
// until the given time.
func (p *Pusher) PublishPreview(ctx context.Context, tenantID string, snap []byte, until time.Time) error {
	q := url.Values{}
	q.Set("expiration", strconv.FormatInt(until.UnixMilli(), 10)) // EXPECT kvttl
	u := url.URL{
		Scheme:   "https",
		Host:     "api.cloudflare.com",
		Path:     fmt.Sprintf("/client/v4/accounts/%s/storage/kv/namespaces/%s/values/%s", p.cfg.AccountID, p.cfg.NamespaceID, "preview:"+tenantID),
		RawQuery: q.Encode(),
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), bytes.NewReader(snap))
	if err != nil {
		return err
	}
	return p.send(req)
}

// PublishScheduled stages a snapshot that the edge switches to at a fixed
// time (launches); it is kept for a day after.
func (p *Pusher) PublishScheduled(ctx context.Context, tenantID string, snap []byte, activateAt time.Time) error {
	q := url.Values{}
	q.Set("expiration", strconv.FormatInt(activateAt.Add(24*time.Hour).Unix(), 10))
	u := url.URL{
		Scheme:   "https",
		Host:     "api.cloudflare.com",
		Path:     fmt.Sprintf("/client/v4/accounts/%s/storage/kv/namespaces/%s/values/%s", p.cfg.AccountID, p.cfg.NamespaceID, "scheduled:"+tenantID),
		RawQuery: q.Encode(),
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u.String(), bytes.NewReader(snap))
	if err != nil {
		return err
	}
	return p.send(req)
}

// Embargo hides a tenant's config at the edge until deadline (legal holds).
func (p *Pusher) Embargo(ctx context.Context, tenantID, reason string, deadline time.Time) error {
	return p.kv.Put(ctx, "embargo:"+tenantID, []byte(reason), kvhttp.PutOptions{
		Expiration: deadline.Unix() * 1000, // EXPECT kvttl
	})
}

// RequestPurge asks the edge to drop its in-isolate cache for a tenant. The
// edge polls purge:* keys.
func (p *Pusher) RequestPurge(ctx context.Context, tenantID string) error {
	u := fmt.Sprintf(apiValueURL+"?expiration=%d",
		p.cfg.AccountID, p.cfg.NamespaceID, url.PathEscape("purge:"+tenantID),
		time.Now().Unix()+30) // EXPECT kvttl
	req, err := http.NewRequestWithContext(ctx, http.MethodPut, u, bytes.NewReader([]byte("1")))
	if err != nil {
		return err
	}
	return p.send(req)
}

// Drain removes a tenant's snapshot from the edge entirely.
func (p *Pusher) Drain(ctx context.Context, tenantID string) error {
	u := url.URL{
		Scheme: "https",
		Host:   "api.cloudflare.com",
		Path:   fmt.Sprintf("/client/v4/accounts/%s/storage/kv/namespaces/%s/values/%s", p.cfg.AccountID, p.cfg.NamespaceID, "edge:"+tenantID),
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodDelete, u.String(), nil)
	if err != nil {
		return err
	}
	return p.send(req)
}

// RecordRelease appends a release to the tenant's deploy manifest, keeping
// the last 50.
func (p *Pusher) RecordRelease(ctx context.Context, tenantID string, rel Release) error {
	key := "manifest:" + tenantID
	m := manifest{TenantID: tenantID}
	raw, err := p.kv.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &m); err != nil {
			return fmt.Errorf("edgesync: decode manifest: %w", err)
		}
	case !storage.IsNotFound(err):
		return err
	}
	m.Releases = append(m.Releases, rel)
	if n := len(m.Releases); n > 50 {
		m.Releases = m.Releases[n-50:]
	}
	buf, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return p.kv.Put(ctx, key, buf, kvhttp.PutOptions{}) // EXPECT kvrace
}

// LatestRelease reads the newest manifest entry (for the dashboard).
func (p *Pusher) LatestRelease(ctx context.Context, tenantID string) (*Release, error) {
	raw, err := p.kv.Get(ctx, "manifest:"+tenantID)
	if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil || len(m.Releases) == 0 {
		return nil, err
	}
	return &m.Releases[len(m.Releases)-1], nil
}

// ErrLocked means another sync node holds the lock.
var ErrLocked = errors.New("edgesync: lock held by another node")

// Lock is a best-effort lease so that only one sync node pushes a tenant at
// a time.
type Lock struct {
	kv    *kvhttp.Client
	owner string
	ttl   time.Duration
	log   *slog.Logger
}

// NewLock returns a lock helper; ttl is the lease length (at least a minute).
func NewLock(c *kvhttp.Client, owner string, ttl time.Duration, log *slog.Logger) *Lock {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return &Lock{kv: c, owner: owner, ttl: ttl, log: log}
}

// Acquire takes the named lease. The returned func releases it.
func (l *Lock) Acquire(ctx context.Context, name string) (func(context.Context), error) {
	key := "lock:" + name
	holder, err := l.kv.Get(ctx, key)
	switch {
	case err == nil:
		return nil, fmt.Errorf("%w (%s)", ErrLocked, holder)
	case !storage.IsNotFound(err):
		return nil, fmt.Errorf("edgesync: read lock %s: %w", name, err)
	}
	if err := l.kv.Put(ctx, key, []byte(l.owner), kvhttp.PutOptions{ExpirationTTL: int(l.ttl.Seconds())}); err != nil { // EXPECT kvrace
		return nil, fmt.Errorf("edgesync: take lock %s: %w", name, err)
	}
	l.log.DebugContext(ctx, "lock acquired", "name", name, "owner", l.owner)
	return func(ctx context.Context) {
		if err := l.kv.Delete(ctx, key); err != nil {
			l.log.WarnContext(ctx, "lock release failed", "name", name, "err", err)
		}
	}, nil
}
