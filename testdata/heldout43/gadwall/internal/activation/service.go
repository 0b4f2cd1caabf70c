// Package activation binds licences to machines, enforces seat limits,
// answers validation checks and issues offline grants.
package activation

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"strconv"
	"sync"
	"time"

	"gadwall/internal/cache"
	"gadwall/internal/clock"
	"gadwall/internal/keys"
	"gadwall/internal/kvstore"
	"gadwall/internal/license"
	"gadwall/internal/retry"
	"gadwall/internal/tenant"
)

// ErrQuotaExceeded is returned when a licence used up today's validations.
var ErrQuotaExceeded = errors.New("activation: daily validation quota exceeded")

// Request describes the machine asking for an activation.
type Request struct {
	Fingerprint string `json:"fingerprint"`
	Hostname    string `json:"hostname"`
	OS          string `json:"os"`
	AppVersion  string `json:"app_version"`
}

// Machine is one activation; like License it saves and deletes itself.
type Machine struct {
	Key keys.MachineKey `json:"key"`
	Request
	ActivatedAt time.Time `json:"activated_at"`

	kv kvstore.KV
}

// Save writes the machine record.
func (m *Machine) Save(ctx context.Context) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	return m.kv.Put(ctx, m.Key, b)
}

// Delete removes the machine record.
func (m *Machine) Delete(ctx context.Context) error { return m.kv.Delete(ctx, m.Key) }

// Verdict is the cached answer to "may this licence run?".
type Verdict struct {
	License   keys.LicenseID  `json:"license"`
	Valid     bool            `json:"valid"`
	Reason    string          `json:"reason,omitempty"`
	Plan      string          `json:"plan,omitempty"`
	Features  map[string]bool `json:"features,omitempty"`
	CheckedAt time.Time       `json:"checked_at"`
}

type verdictKey struct {
	Tenant  string
	License keys.LicenseID
}

// Service implements activation, validation and offline grants.
type Service struct {
	clock      clock.Clock
	grants     *kvstore.RESTStore
	verdicts   *cache.Cache[verdictKey, Verdict]
	hits       *cache.Cache[keys.LicenseID, int]
	dailyQuota int
	validity   time.Duration

	failMu   sync.Mutex
	failures map[keys.LicenseID]int
}

// Config carries the settings the service needs.
type Config struct {
	DailyQuota, CacheEntries  int
	GrantValidity, VerdictTTL time.Duration
	GrantsStore               *kvstore.RESTStore
	CacheStore                kvstore.KV
	Clock                     clock.Clock
}

// New builds the service.
func New(cfg Config) *Service {
	s := &Service{clock: cfg.Clock, grants: cfg.GrantsStore, dailyQuota: cfg.DailyQuota, validity: cfg.GrantValidity, failures: map[keys.LicenseID]int{}}
	s.verdicts = cache.New(cfg.CacheStore, cfg.CacheEntries, cfg.Clock,
		func(k verdictKey) string { return path.Join("validation", k.Tenant, string(k.License)) },
		func(v Verdict) time.Duration {
			if !v.Valid {
				return 20 * time.Second
			}
			return cfg.VerdictTTL
		})
	s.hits = cache.New(cfg.CacheStore, cfg.CacheEntries, cfg.Clock, keys.Hits,
		func(int) time.Duration { return 35 * 24 * time.Hour })
	return s
}

// RunFlusher flushes write-behind counters until ctx is done.
func (s *Service) RunFlusher(ctx context.Context, every time.Duration) { s.hits.Run(ctx, every) }

// Activate binds a machine to the licence, respecting its seat limit.
func (s *Service) Activate(ctx context.Context, t *tenant.Tenant, id keys.LicenseID, req Request) (*Machine, error) {
	lic, err := license.NewLicenses(t.KV, s.clock).Find(ctx, id)
	if errors.Is(err, license.ErrNotFound) {
		s.noteFailure(ctx, t, id)
	}
	if err != nil {
		return nil, err
	}
	if err := lic.Usable(); err != nil {
		return nil, err
	}
	if !lic.HasMachine(req.Fingerprint) {
		if len(lic.Machines) >= lic.Seats {
			return nil, license.ErrSeatLimit
		}
		lic.Machines = append(lic.Machines, req.Fingerprint)
		err := retry.Do(ctx, retry.Default, func(ctx context.Context) error { return lic.Save(ctx) }) // EXPECT kvrace
		if err != nil {
			return nil, fmt.Errorf("activation: save licence: %w", err)
		}
	}
	m := &Machine{Key: keys.MachineKey{License: id, Fingerprint: req.Fingerprint}, Request: req, ActivatedAt: s.clock.Now(), kv: t.KV}
	return m, m.Save(ctx)
}

// Deactivate frees the seat held by fingerprint.
func (s *Service) Deactivate(ctx context.Context, t *tenant.Tenant, id keys.LicenseID, fingerprint string) error {
	lic, err := license.NewLicenses(t.KV, s.clock).Find(ctx, id)
	if err != nil {
		return err
	}
	if lic.RemoveMachine(fingerprint) {
		if err := lic.Save(ctx); err != nil { // EXPECT kvrace
			return err
		}
	}
	m := &Machine{Key: keys.MachineKey{License: id, Fingerprint: fingerprint}, kv: t.KV}
	if err := m.Delete(ctx); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return t.KV.Delete(ctx, keys.SeenKey(m.Key))
}

// Heartbeat records that a machine is still running the app.
func (s *Service) Heartbeat(ctx context.Context, t *tenant.Tenant, id keys.LicenseID, fingerprint string) error {
	stamp := []byte(s.clock.Now().Format(time.RFC3339))
	return t.KV.PutTTL(ctx, keys.SeenKey{License: id, Fingerprint: fingerprint}, stamp, 72*time.Hour)
}

// noteFailure keeps a per-licence tally of failed activations for the
// support dashboard.
func (s *Service) noteFailure(ctx context.Context, t *tenant.Tenant, id keys.LicenseID) {
	s.failMu.Lock()
	s.failures[id]++
	n := s.failures[id]
	s.failMu.Unlock()
	_ = t.KV.PutTTL(ctx, keys.Attempts(id), []byte(strconv.Itoa(n)), 24*time.Hour) // EXPECT kvcounter
}

// Validate answers whether the licence may run, from cache when possible.
func (s *Service) Validate(ctx context.Context, t *tenant.Tenant, id keys.LicenseID) (Verdict, error) {
	if err := s.chargeQuota(ctx, t, id); err != nil {
		return Verdict{}, err
	}
	n, _ := s.hits.Peek(id)
	s.hits.Stage(id, n+1) // EXPECT kvcounter
	return s.verdicts.Get(ctx, verdictKey{Tenant: t.ID, License: id}, func(ctx context.Context) (Verdict, error) {
		v := Verdict{License: id, CheckedAt: s.clock.Now()}
		lic, err := license.NewLicenses(t.KV, s.clock).Find(ctx, id)
		switch {
		case errors.Is(err, license.ErrNotFound):
			v.Reason = "unknown licence"
		case err != nil:
			return v, err
		case lic.Usable() != nil:
			v.Reason = lic.Usable().Error()
		default:
			v.Valid, v.Plan, v.Features = true, lic.Plan, lic.Features
		}
		return v, nil
	})
}

// Forget drops the cached verdict after a licence changed.
func (s *Service) Forget(ctx context.Context, tenantID string, id keys.LicenseID) error {
	return s.verdicts.Invalidate(ctx, verdictKey{Tenant: tenantID, License: id})
}

func (s *Service) chargeQuota(ctx context.Context, t *tenant.Tenant, id keys.LicenseID) error {
	k := keys.Quota{License: id, Day: s.clock.Now().Truncate(24 * time.Hour)}
	var q struct {
		Used    int       `json:"used"`
		Updated time.Time `json:"updated"`
	}
	raw, err := t.KV.Get(ctx, k)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &q); err != nil {
			return err
		}
	}
	if q.Used >= s.dailyQuota {
		return ErrQuotaExceeded
	}
	q.Used++
	q.Updated = s.clock.Now()
	b, _ := json.Marshal(q)
	return t.KV.PutTTL(ctx, k, b, 48*time.Hour) // EXPECT kvcounter|kvrace
}

// RecordCheckIn stamps the licence with the time the app last phoned home.
func (s *Service) RecordCheckIn(ctx context.Context, t *tenant.Tenant, id keys.LicenseID) (err error) {
	lic, err := license.NewLicenses(t.KV, s.clock).Find(ctx, id)
	if err != nil {
		return err
	}
	defer func() {
		lic.LastValidated = s.clock.Now()
		if serr := lic.Save(ctx); serr != nil && err == nil { // EXPECT kvrace
			err = serr
		}
	}()
	return lic.Usable()
}
