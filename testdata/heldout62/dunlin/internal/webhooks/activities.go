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
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/temporal"

	"github.com/dunlin-dev/dunlin/internal/kvstore"
)

const (
	recentFailures = 20
	disableAfter   = 50 // the dashboard flags the endpoint as failing
)

// Activities are registered with worker.RegisterActivity.
type Activities struct {
	kv      *kvstore.Namespace
	client  *http.Client
	control string
}

func NewActivities(kv *kvstore.Namespace, client *http.Client, controlURL string) *Activities {
	return &Activities{kv: kv, client: client, control: controlURL}
}

type deliveryStatus struct {
	State   string    `json:"state"`
	Attempt int32     `json:"attempt,omitempty"`
	Code    int       `json:"code,omitempty"`
	Error   string    `json:"error,omitempty"`
	At      time.Time `json:"at"`
}

func statusKey(id string) string          { return "whstatus:" + id }
func endpointPrefix(tenant string) string { return "whendpoint:" + tenant + ":" }

// Endpoints returns the tenant's endpoints that subscribe to eventType.
// Endpoint definitions live in key metadata; the dashboard caps a tenant at
// 100 endpoints.
func (a *Activities) Endpoints(ctx context.Context, tenant, eventType string) ([]Endpoint, error) {
	keys, next, err := a.kv.Page(ctx, endpointPrefix(tenant), "", 1000)
	if err != nil {
		return nil, err
	}
	if next != "" {
		return nil, temporal.NewNonRetryableApplicationError("too many endpoints", "PermanentFailure", nil)
	}
	var out []Endpoint
	for _, k := range keys {
		var ep Endpoint
		b, _ := json.Marshal(k.Metadata)
		if err := json.Unmarshal(b, &ep); err != nil {
			return nil, fmt.Errorf("endpoint %s: %w", k.Name, err)
		}
		if slices.Contains(ep.Events, eventType) || slices.Contains(ep.Events, "*") {
			out = append(out, ep)
		}
	}
	return out, nil
}

// MarkQueued records the deliveries of an event as queued and keeps the
// tenant's dispatcher summary current.
func (a *Activities) MarkQueued(ctx context.Context, tenant string, ds []Delivery) error {
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(ds))
	now := time.Now().UTC()
	for _, d := range ds {
		st, _ := json.Marshal(deliveryStatus{State: "queued", At: now})
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           statusKey(d.ID),
			Value:         string(st),
			ExpirationTTL: int(statusRetention.Seconds()),
		})
		summary, _ := json.Marshal(map[string]string{"event": d.Event.ID, "endpoint": d.Endpoint.ID, "at": now.Format(time.RFC3339)})
		if err := a.kv.Put(ctx, "whsummary:"+tenant, summary); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return a.kv.PutMany(ctx, pairs)
}

// SigningSecret returns the endpoint's HMAC secret, cached in KV in front
// of the control plane.
func (a *Activities) SigningSecret(ctx context.Context, endpointID string) (string, error) {
	key := "whsecret:" + endpointID
	if raw, err := a.kv.Get(ctx, key); err == nil {
		return string(raw), nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return "", err
	}
	resp, err := a.client.Get(a.control + "/internal/endpoints/" + endpointID + "/secret")
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("control plane: %s", resp.Status)
	}
	secret, err := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if err != nil {
		return "", err
	}
	ttl := 2 * activity.GetInfo(ctx).StartToCloseTimeout
	if err := a.kv.PutTTL(ctx, key, secret, ttl); err != nil {
		activity.GetLogger(ctx).Warn("secret not cached", "endpoint", endpointID, "error", err)
	}
	return string(secret), nil
}

// StartCooldown marks a delivery as recently attempted for window.
func (a *Activities) StartCooldown(ctx context.Context, deliveryID string, window time.Duration) error {
	return a.kv.PutTTL(ctx, "whcooldown:"+deliveryID, []byte("1"), window)
}

// Deliver makes one signed POST to the endpoint.
func (a *Activities) Deliver(ctx context.Context, d Delivery, secret string) (int, error) {
	info := activity.GetInfo(ctx)
	// The in-flight marker vanishes by itself if this attempt dies.
	inflight, _ := json.Marshal(deliveryStatus{State: "sending", Attempt: info.Attempt, At: time.Now().UTC()})
	if err := a.kv.PutTTL(ctx, "whinflight:"+d.ID, inflight, info.StartToCloseTimeout); err != nil { // EXPECT kvttl
		activity.GetLogger(ctx).Warn("in-flight marker not written", "delivery", d.ID, "error", err)
	}
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	mac := hmac.New(sha256.New, []byte(secret))
	mac.Write([]byte(ts + "."))
	mac.Write(d.Event.Payload)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.Endpoint.URL, bytes.NewReader(d.Event.Payload))
	if err != nil {
		return 0, temporal.NewNonRetryableApplicationError("bad endpoint URL", "PermanentFailure", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Dunlin-Event", d.Event.Type)
	req.Header.Set("Dunlin-Delivery", d.ID)
	req.Header.Set("Dunlin-Signature", "t="+ts+",v1="+hex.EncodeToString(mac.Sum(nil)))
	resp, err := a.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	switch {
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		return resp.StatusCode, nil
	case resp.StatusCode == http.StatusGone:
		return resp.StatusCode, temporal.NewNonRetryableApplicationError("endpoint is gone", "PermanentFailure", nil)
	default:
		return resp.StatusCode, fmt.Errorf("endpoint answered %s", resp.Status)
	}
}

type failure struct {
	Delivery string    `json:"delivery"`
	Error    string    `json:"error"`
	At       time.Time `json:"at"`
}

// RecordFailure runs once the retries of a delivery are exhausted.
func (a *Activities) RecordFailure(ctx context.Context, d Delivery, reason string) error {
	now := time.Now().UTC()
	st, _ := json.Marshal(deliveryStatus{State: "failed", Error: reason, At: now})
	if err := a.kv.PutTTL(ctx, statusKey(d.ID), st, statusRetention); err != nil {
		return err
	}

	key := "whfailures:" + d.Endpoint.ID
	var recent []failure
	if raw, err := a.kv.Get(ctx, key); err == nil {
		if err := json.Unmarshal(raw, &recent); err != nil {
			return err
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	recent = append(recent, failure{Delivery: d.ID, Error: reason, At: now})
	if len(recent) > recentFailures {
		recent = recent[len(recent)-recentFailures:]
	}
	body, _ := json.Marshal(recent)
	if err := a.kv.PutTTL(ctx, key, body, statusRetention); err != nil { // EXPECT kvrace
		return err
	}

	ck := "whfail-count:" + d.Endpoint.ID
	n := 0
	if raw, err := a.kv.Get(ctx, ck); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	n++
	if err := a.kv.Put(ctx, ck, []byte(strconv.Itoa(n))); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	if n >= disableAfter {
		activity.GetLogger(ctx).Warn("endpoint keeps failing", "endpoint", d.Endpoint.ID, "failures", n)
	}
	return nil
}

// RecordSuccess stores the final state and resets the failure streak.
func (a *Activities) RecordSuccess(ctx context.Context, d Delivery, code int) error {
	st, _ := json.Marshal(deliveryStatus{State: "delivered", Code: code, Attempt: activity.GetInfo(ctx).Attempt, At: time.Now().UTC()})
	if err := a.kv.PutTTL(ctx, statusKey(d.ID), st, statusRetention); err != nil {
		return err
	}
	return a.kv.Delete(ctx, "whfail-count:"+d.Endpoint.ID)
}
