// Package ops holds the backend's operational tasks on the shared KV
// namespaces: courier device tokens, dispatch settings, restaurant slugs,
// order quotas and the nightly reconciliation.
package ops

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"example.com/yarrow/internal/backend/cfkv"
	"example.com/yarrow/internal/backend/cfparams"
	"example.com/yarrow/internal/config"
	"example.com/yarrow/internal/domain"
)

// Errors returned by the service.
var (
	ErrSlugTaken = errors.New("ops: slug already taken")
	ErrQuota     = errors.New("ops: daily order quota reached")
)

// reconcileBudget bounds the keys examined by one reconciliation run.
const reconcileBudget = 20000

// Clock tells the time.
type Clock interface{ Now() time.Time }

// DispatchSettings tune courier assignment.
type DispatchSettings struct {
	RadiusMeters  int     `json:"radius_m"`
	MaxStack      int     `json:"max_stack"`
	SurgeFloor    float64 `json:"surge_floor"`
	AutoAssign    bool    `json:"auto_assign"`
	UpdatedAt     int64   `json:"updated_at"`
	UpdatedByTask string  `json:"updated_by,omitempty"`
}

// DefaultDispatch is used until operations staff change anything.
var DefaultDispatch = DispatchSettings{RadiusMeters: 3000, MaxStack: 2, SurgeFloor: 1, AutoAssign: true}

// Service runs operational tasks.
type Service struct {
	values   *kv.NamespaceValueService
	keys     *kv.NamespaceKeyService
	store    *cfkv.Store
	account  string
	ns       string
	tokenTTL time.Duration
	revokeS  int
	clock    Clock
}

// ProvideService is the constructor used by the wiring in cmd/backend.
func ProvideService(client *cloudflare.Client, cfg config.Backend, st *cfkv.Store, c Clock) *Service {
	return &Service{
		values:   client.KV.Namespaces.Values,
		keys:     client.KV.Namespaces.Keys,
		store:    st,
		account:  cfg.AccountID,
		ns:       cfg.OpsNamespace,
		tokenTTL: cfg.TokenTTL,
		revokeS:  cfg.RevocationSeconds,
		clock:    c,
	}
}

func (s *Service) read(ctx context.Context, key string) ([]byte, error) {
	res, err := s.values.Get(ctx, s.ns, key, cfparams.Read(s.account))
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// IssueCourierToken mints a device token for a courier's phone.
func (s *Service) IssueCourierToken(ctx context.Context, c domain.CourierID) (string, error) {
	token := domain.NewToken(24)
	deadline := s.clock.Now().Add(s.tokenTTL)
	raw := strconv.AppendInt(nil, int64(c), 10)
	if _, err := s.values.Update(ctx, s.ns, c.TokenKey(token), cfparams.WriteUntil(s.account, raw, deadline)); err != nil {
		return "", err
	}
	return token, nil
}

// RotateCourierToken replaces a device token, e.g. when a phone is replaced.
func (s *Service) RotateCourierToken(ctx context.Context, c domain.CourierID, old string) (string, error) {
	token, err := s.IssueCourierToken(ctx, c)
	if err != nil {
		return "", err
	}
	if _, err := s.values.Delete(ctx, s.ns, c.TokenKey(old), cfparams.Remove(s.account)); err != nil && !cfkv.IsMissing(err) { // EXPECT kvsession
		return "", err
	}
	return token, nil
}

// RevokeToken blocks a leaked token until it would have expired anyway.
func (s *Service) RevokeToken(ctx context.Context, token string) error {
	ttl := time.Duration(s.revokeS) * time.Second
	_, err := s.values.Update(ctx, s.ns, "revoked-token:"+token, cfparams.Write(s.account, []byte("1"), ttl, nil)) // EXPECT kvsession
	return err
}

// ClaimSlug reserves a public URL slug for a restaurant.
func (s *Service) ClaimSlug(ctx context.Context, slug string, r domain.RestaurantID) error {
	key := domain.SlugKey(slug)
	_, err := s.read(ctx, key)
	switch {
	case err == nil:
		return fmt.Errorf("%w: %s", ErrSlugTaken, slug)
	case !cfkv.IsMissing(err):
		return err
	}
	_, err = s.values.Update(ctx, s.ns, key, cfparams.Write(s.account, []byte(r), 0, nil)) // EXPECT kvrace
	return err
}

// AddToRoster adds a courier to a zone's roster.
func (s *Service) AddToRoster(ctx context.Context, zone string, c domain.CourierID) error {
	key := "roster:" + zone
	var roster []domain.CourierID
	raw, err := s.read(ctx, key)
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &roster); err != nil {
			return fmt.Errorf("ops: roster %s: %w", zone, err)
		}
	case !cfkv.IsMissing(err):
		return err
	}
	for _, id := range roster {
		if id == c {
			return nil
		}
	}
	roster = append(roster, c)
	out, err := json.Marshal(roster)
	if err != nil {
		return err
	}
	_, err = s.values.Update(ctx, s.ns, key, cfparams.Write(s.account, out, 0, nil)) // EXPECT kvrace
	return err
}

// CountOrder enforces a restaurant's daily order quota.
func (s *Service) CountOrder(ctx context.Context, r domain.RestaurantID, limit int64) error {
	key := "order-quota:" + string(r)
	var n int64
	raw, err := s.read(ctx, key)
	switch {
	case err == nil:
		if n, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return fmt.Errorf("ops: quota %s: %w", r, err)
		}
	case !cfkv.IsMissing(err):
		return err
	}
	if n >= limit {
		return fmt.Errorf("%w: %s", ErrQuota, r)
	}
	next := strconv.AppendInt(nil, n+1, 10)
	_, err = s.values.Update(ctx, s.ns, key, cfparams.Write(s.account, next, 26*time.Hour, nil)) // EXPECT kvcounter
	return err
}

// Dispatch returns the dispatch settings, creating them on first use.
func (s *Service) Dispatch(ctx context.Context) (DispatchSettings, error) {
	res, err := s.values.Get(ctx, s.ns, "dispatch:settings", cfparams.Read(s.account)) // EXPECT kvnull
	if err != nil {
		d := DefaultDispatch
		d.UpdatedAt, d.UpdatedByTask = s.clock.Now().Unix(), "bootstrap"
		raw, _ := json.Marshal(d)
		if _, err := s.values.Update(ctx, s.ns, "dispatch:settings", cfparams.Write(s.account, raw, 0, nil)); err != nil {
			return d, err
		}
		return d, nil
	}
	defer res.Body.Close()
	var d DispatchSettings
	return d, json.NewDecoder(res.Body).Decode(&d)
}
