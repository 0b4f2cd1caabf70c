// Package subscription stores the endpoints tenants register and the event
// types each one receives.
package subscription

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"time"

	"wagtail/internal/kvstore"
)

// ErrNotFound is returned for an unknown subscription.
var ErrNotFound = errors.New("subscription: not found")

// Subscription is one endpoint and the events it receives.
type Subscription struct {
	ID        string    `json:"id"`
	TenantID  string    `json:"tenant_id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Paused    bool      `json:"paused"`
	Tags      Tags      `json:"tags,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func (s Subscription) meta() map[string]any {
	m := map[string]any{"events": s.Events, "paused": s.Paused, "host": hostOf(s.URL)}
	for k, v := range s.Tags {
		m["tag."+k] = v
	}
	return m
}

// Repo stores subscriptions under sub:<tenant>:<id>.
type Repo struct {
	kvstore.Base
}

// NewRepo returns a Repo in namespace ns.
func NewRepo(ns string) *Repo {
	return &Repo{Base: kvstore.NewBase(ns, kvstore.KindSubscription)}
}

// IDFor derives the subscription ID from tenant and URL, so registering the
// same URL twice updates one record.
func IDFor(tenantID, endpoint string) string {
	sum := sha256.Sum256([]byte(tenantID + "\x00" + endpoint))
	return "sub_" + hex.EncodeToString(sum[:10])
}

// Upsert registers or replaces the subscription for (tenant, URL).
func (r *Repo) Upsert(ctx context.Context, tenantID, endpoint string, events []string, tags Tags) (Subscription, error) {
	if _, err := url.ParseRequestURI(endpoint); err != nil {
		return Subscription{}, fmt.Errorf("subscription: bad url: %w", err)
	}
	s := Subscription{
		ID:        IDFor(tenantID, endpoint),
		TenantID:  tenantID,
		URL:       endpoint,
		Events:    events,
		Tags:      tags,
		CreatedAt: time.Now().UTC(),
	}
	if err := r.write(ctx, s); err != nil {
		return Subscription{}, err
	}
	if len(tags) > 0 {
		if err := tags.Save(ctx, r.NS, s.ID); err != nil {
			return s, err
		}
	}
	return s, nil
}

func (r *Repo) write(ctx context.Context, s Subscription) error {
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return kvstore.PutMeta(ctx, r.NS, r.KeyOf(s.TenantID, s.ID), raw, s.meta(), 0)
}

// Get returns one subscription.
func (r *Repo) Get(ctx context.Context, tenantID, id string) (Subscription, error) {
	var s Subscription
	if err := r.GetJSON(ctx, r.KeyOf(tenantID, id), &s); err != nil {
		if kvstore.IsMiss(err) {
			return s, ErrNotFound
		}
		return s, err
	}
	return s, nil
}

// Replace overwrites a subscription with the one sent by the client.
func (r *Repo) Replace(ctx context.Context, s Subscription) error {
	if _, err := r.GetRaw(ctx, r.KeyOf(s.TenantID, s.ID)); err != nil {
		if kvstore.IsMiss(err) {
			return ErrNotFound
		}
		return err
	}
	return r.write(ctx, s)
}

// SetPaused pauses or resumes deliveries to a subscription.
func (r *Repo) SetPaused(ctx context.Context, tenantID, id string, paused bool) error {
	key := r.KeyOf(tenantID, id)
	var s Subscription
	if err := r.GetJSON(ctx, key, &s); err != nil {
		return err
	}
	s.Paused = paused
	raw, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return kvstore.PutMeta(ctx, r.NS, key, raw, s.meta(), 0) // EXPECT kvrace
}

// MarkDelivered records when the endpoint last accepted a delivery.
func (r *Repo) MarkDelivered(ctx context.Context, tenantID, id string) error {
	return r.Touch(ctx, r.KeyOf(tenantID, id), "last_delivered_at", time.Now())
}

// Page returns one page of a tenant's subscriptions, decoded from metadata.
func (r *Repo) Page(ctx context.Context, tenantID, cursor string) ([]Summary, string, error) {
	keys, next, err := kvstore.ListPage(ctx, r.NS, r.KeyOf(tenantID)+":", cursor, 200)
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(keys))
	for _, k := range keys {
		out = append(out, summaryOf(k.Name, k.Metadata))
	}
	return out, next, nil
}

// Summary is a listed subscription.
type Summary struct {
	ID     string
	Host   string
	Events []string
	Paused bool
}

func summaryOf(name string, meta any) Summary {
	s := Summary{ID: name[len(name)-24:]}
	m, _ := meta.(map[string]any)
	s.Host, _ = m["host"].(string)
	s.Paused, _ = m["paused"].(bool)
	if evs, ok := m["events"].([]any); ok {
		for _, e := range evs {
			if str, ok := e.(string); ok {
				s.Events = append(s.Events, str)
			}
		}
	}
	return s
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}
