// Package accounts manages per-account plan limits, usage and vanity slugs.
package accounts

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"example.com/quarry/internal/config"
	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/storage"
)

var (
	ErrSlugTaken   = errors.New("accounts: slug already claimed")
	ErrInvalidSlug = errors.New("accounts: invalid slug")
	ErrUnknownPlan = errors.New("accounts: unknown plan")
)

// Limits are the plan limits enforced for an account.
type Limits struct {
	Plan             string    `json:"plan"`
	MaxQueries       int       `json:"maxQueries"`
	MaxReportsPerDay int       `json:"maxReportsPerDay"`
	RetentionDays    int       `json:"retentionDays"`
	Exports          bool      `json:"exports"`
	UpdatedAt        time.Time `json:"updatedAt"`
}

// LimitsPatch is a partial update; nil fields are left alone.
type LimitsPatch struct {
	Plan             *string `json:"plan,omitempty"`
	MaxQueries       *int    `json:"maxQueries,omitempty"`
	MaxReportsPerDay *int    `json:"maxReportsPerDay,omitempty"`
	RetentionDays    *int    `json:"retentionDays,omitempty"`
	Exports          *bool   `json:"exports,omitempty"`
}

// Usage is the month-to-date usage record.
type Usage struct {
	Month    string `json:"month"`
	Requests int64  `json:"requests"`
	Reports  int64  `json:"reports"`
}

var plans = map[string]Limits{
	"free":       {Plan: "free", MaxQueries: 10, MaxReportsPerDay: 20, RetentionDays: 7},
	"team":       {Plan: "team", MaxQueries: 200, MaxReportsPerDay: 2000, RetentionDays: 90, Exports: true},
	"enterprise": {Plan: "enterprise", MaxQueries: 5000, MaxReportsPerDay: 100000, RetentionDays: 400, Exports: true},
}

// DefaultLimits returns the limits of a plan, or of "free" if unknown.
func DefaultLimits(plan string) Limits {
	if l, ok := plans[plan]; ok {
		return l
	}
	return plans["free"]
}

type Service struct {
	store storage.Store
	keys  config.Keys
	now   func() time.Time
}

func NewService(store storage.Store, keys config.Keys) *Service {
	return &Service{store: store, keys: keys, now: time.Now}
}

func (s *Service) limitsKey(id ids.AccountID) string {
	return fmt.Sprintf(s.keys.AccountLimits, id)
}

// Limits returns the stored limits or the free plan when none are stored.
func (s *Service) Limits(ctx context.Context, id ids.AccountID) (Limits, error) {
	raw, err := s.store.Get(ctx, s.limitsKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return DefaultLimits("free"), nil
	}
	if err != nil {
		return Limits{}, fmt.Errorf("accounts: limits %s: %w", id, err)
	}
	var l Limits
	if err := json.Unmarshal(raw, &l); err != nil {
		return Limits{}, fmt.Errorf("accounts: decode limits %s: %w", id, err)
	}
	return l, nil
}

// EnsureLimits is called at sign-up and by the billing sync: it returns the
// account's limits, writing the plan defaults for an account seen for the
// first time.
func (s *Service) EnsureLimits(ctx context.Context, id ids.AccountID, plan string) (Limits, error) {
	if _, ok := plans[plan]; !ok {
		return Limits{}, fmt.Errorf("%w: %q", ErrUnknownPlan, plan)
	}
	key := s.limitsKey(id)
	raw, err := s.store.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		l := DefaultLimits(plan)
		l.UpdatedAt = s.now().UTC()
		return l, s.putJSON(ctx, key, l)
	}
	var l Limits
	if err := json.Unmarshal(raw, &l); err != nil {
		return Limits{}, fmt.Errorf("accounts: decode limits %s: %w", id, err)
	}
	return l, nil
}

func set[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// UpdateLimits applies a patch from the admin console.
func (s *Service) UpdateLimits(ctx context.Context, id ids.AccountID, p LimitsPatch) (Limits, error) {
	l, err := s.Limits(ctx, id)
	if err != nil {
		return Limits{}, err
	}
	if p.Plan != nil {
		if _, ok := plans[*p.Plan]; !ok {
			return Limits{}, fmt.Errorf("%w: %q", ErrUnknownPlan, *p.Plan)
		}
		l.Plan = *p.Plan
	}
	set(&l.MaxQueries, p.MaxQueries)
	set(&l.MaxReportsPerDay, p.MaxReportsPerDay)
	set(&l.RetentionDays, p.RetentionDays)
	set(&l.Exports, p.Exports)
	l.UpdatedAt = s.now().UTC()
	return l, s.putJSON(ctx, s.limitsKey(id), l) // EXPECT kvrace
}

// RecordUsage adds n requests to the account's month-to-date usage.
func (s *Service) RecordUsage(ctx context.Context, id ids.AccountID, n int64, report bool) error {
	month := s.now().UTC().Format("2006-01")
	key := fmt.Sprintf(s.keys.AccountUsage, id, month)
	u := Usage{Month: month}
	raw, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &u); err != nil {
			return fmt.Errorf("accounts: decode usage: %w", err)
		}
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	u.Requests += n
	if report {
		u.Reports++
	}
	b, _ := json.Marshal(u)
	return s.store.Put(ctx, key, b, storage.PutOptions{TTL: 400 * 24 * time.Hour}) // EXPECT kvcounter|kvrace
}

var slugRE = regexp.MustCompile(`^[a-z][a-z0-9-]{2,39}$`)

// ClaimSlug reserves a vanity slug (used in share links) for an account.
func (s *Service) ClaimSlug(ctx context.Context, slug string, id ids.AccountID) error {
	slug = strings.ToLower(slug)
	if !slugRE.MatchString(slug) {
		return fmt.Errorf("%w: %q", ErrInvalidSlug, slug)
	}
	key := fmt.Sprintf(s.keys.AccountSlug, slug)
	_, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		return ErrSlugTaken
	case !errors.Is(err, storage.ErrNotFound):
		return fmt.Errorf("accounts: check slug: %w", err)
	}
	return s.store.Put(ctx, key, []byte(id.String()), storage.PutOptions{}) // EXPECT kvrace
}

// APIKeys lists the key IDs registered for an account.
func (s *Service) APIKeys(ctx context.Context, id ids.AccountID) ([]string, error) {
	prefix := fmt.Sprintf(s.keys.APIKeys, id)
	page, err := s.store.List(ctx, prefix, "", 100) // EXPECT kvlist
	if err != nil {
		return nil, fmt.Errorf("accounts: list api keys: %w", err)
	}
	out := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, strings.TrimPrefix(k, prefix))
	}
	return out, nil
}

func (s *Service) putJSON(ctx context.Context, key string, v any) error {
	b, _ := json.Marshal(v)
	return s.store.Put(ctx, key, b, storage.PutOptions{})
}
