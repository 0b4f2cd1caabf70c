// Package rates manages rate plans and the public rate card.
package rates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"example.com/pipit/internal/bus"
	"example.com/pipit/internal/cfkv2"
	"example.com/pipit/internal/httpx"
	"example.com/pipit/internal/repo"
	"example.com/pipit/internal/store"
)

// Rule adjusts the base price on matching nights.
type Rule struct {
	Weekdays    []time.Weekday `json:"weekdays,omitempty"`
	MinStay     int            `json:"min_stay,omitempty"`
	AdjustCents int64          `json:"adjust_cents"`
}

// RatePlan is a priced offer for a room type.
type RatePlan struct {
	ID         string `json:"id"`
	PropertyID string `json:"property_id"`
	RoomType   string `json:"room_type"`
	Name       string `json:"name"`
	Currency   string `json:"currency"`
	BaseCents  int64  `json:"base_cents"`
	Refundable bool   `json:"refundable"`
	Rules      []Rule `json:"rules"`
}

// Prefix places rate plans under "rateplan:".
func (RatePlan) Prefix() string { return "rateplan" }

// Validate checks the invariants a stored plan must hold.
func (p RatePlan) Validate() error {
	if p.Name == "" || len(p.Currency) != 3 || p.BaseCents <= 0 {
		return fmt.Errorf("%w: name, ISO currency and a positive base price are required", httpx.ErrInvalid)
	}
	return nil
}

// EdgeCache is the read-through cache in front of the plan store.
type EdgeCache interface {
	Fetch(ctx context.Context, key string) ([]byte, error)
	Store(ctx context.Context, key string, value []byte, ttl time.Duration) error
	Evict(ctx context.Context, key string) error
}

// Service manages plans.
type Service struct {
	kv    store.KV
	plans *repo.Repo[RatePlan]
	cache EdgeCache
}

// New returns the service.
func New(kv store.KV, cache EdgeCache) *Service {
	return &Service{kv: kv, plans: repo.NewPrefixed[RatePlan](kv), cache: cache}
}

func cardKey(propertyID string) string { return "ratecard:" + propertyID }

// Patch serves PATCH /rate-plans/{id} with an RFC 7386 merge patch.
func (s *Service) Patch(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	patch, err := httpx.ReadMergePatch(w, r)
	if err != nil {
		return err
	}
	delete(patch, "id")
	delete(patch, "property_id")
	key := s.plans.Prefix() + r.PathValue("id")
	raw, err := s.kv.Get(ctx, key)
	if err != nil {
		return err
	}
	var doc map[string]any
	if err := json.Unmarshal(raw, &doc); err != nil {
		return err
	}
	merged, _ := json.Marshal(httpx.MergePatch(doc, patch))
	var plan RatePlan
	if err := errors.Join(json.Unmarshal(merged, &plan), plan.Validate()); err != nil {
		return fmt.Errorf("%w: %v", httpx.ErrInvalid, err)
	}
	if err := s.kv.Put(ctx, key, merged); err != nil { // EXPECT kvrace
		return err
	}
	_ = s.cache.Evict(ctx, cardKey(plan.PropertyID))
	return httpx.JSON(w, http.StatusOK, plan)
}

// Import serves POST /rate-plans/import. Rule sets come from revenue
// management spreadsheets; progress is saved after each rule so that a
// timed-out import can be inspected.
func (s *Service) Import(w http.ResponseWriter, r *http.Request) error {
	req, err := httpx.Decode[RatePlan](w, r)
	if err != nil {
		return err
	}
	if err := req.Validate(); err != nil {
		return err
	}
	plan := req
	plan.Rules = nil
	for _, rule := range req.Rules {
		plan.Rules = append(plan.Rules, rule)
		if err := s.plans.Put(r.Context(), plan.ID, plan); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return httpx.JSON(w, http.StatusCreated, plan)
}

// Card serves GET /properties/{property}/rates, the public rate card.
func (s *Service) Card(w http.ResponseWriter, r *http.Request) error {
	ctx, propertyID := r.Context(), r.PathValue("property")
	w.Header().Set("Content-Type", "application/json")
	b, err := s.cache.Fetch(ctx, cardKey(propertyID))
	if errors.Is(err, cfkv2.ErrMiss) {
		b, err = s.card(ctx, propertyID)
		if err == nil {
			err = s.cache.Store(ctx, cardKey(propertyID), b, 15*time.Second)
		}
	}
	if err != nil {
		return err
	}
	_, err = w.Write(b)
	return err
}

// card renders up to 50 plans of a property, read in one bulk request.
func (s *Service) card(ctx context.Context, propertyID string) ([]byte, error) {
	ids, next, err := s.plans.IDs(ctx, store.Query{Prefix: propertyID + ":", Limit: 50})
	if err != nil {
		return nil, err
	}
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = s.plans.Prefix() + id
	}
	vals, err := s.kv.GetMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	card := struct {
		Plans     []RatePlan `json:"plans"`
		Truncated bool       `json:"truncated"`
	}{Truncated: next != ""}
	for _, k := range keys {
		var p RatePlan
		if b, ok := vals[k]; ok && json.Unmarshal(b, &p) == nil {
			card.Plans = append(card.Plans, p)
		}
	}
	return json.Marshal(card)
}

// ChannelRules are the per-property settings for channel distribution.
type ChannelRules struct {
	Markup   int      `json:"markup_percent"`
	StopSell bool     `json:"stop_sell"`
	Channels []string `json:"channels"`
}

// EnsureChannelRules is the command that gives a new property its defaults.
type EnsureChannelRules struct {
	PropertyID string `json:"property_id"`
}

// Register installs the command handlers.
func (s *Service) Register(b *bus.Bus) { bus.Register(b, s.ensureChannelRules) }

func (s *Service) ensureChannelRules(ctx context.Context, cmd EnsureChannelRules) error {
	key := "channel-rules:" + cmd.PropertyID
	if _, err := s.cache.Fetch(ctx, key); err != nil { // EXPECT kvnull
		b, _ := json.Marshal(ChannelRules{Markup: 15, Channels: []string{"direct"}})
		return s.cache.Store(ctx, key, b, 0)
	}
	return nil
}
