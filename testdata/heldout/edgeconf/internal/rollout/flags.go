// Package rollout manages per-tenant feature flags: percentage rollouts,
// targeting lists, temporary overrides and change freezes. Compiled flag
// snapshots are what the edge Workers read.
package rollout

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"time"

	"example.com/edgeconf/internal/storage"
)

var (
	ErrFlagExists   = errors.New("rollout: flag already exists")
	ErrFlagNotFound = errors.New("rollout: flag not found")
	ErrBadRollout   = errors.New("rollout: percentage must be within 0..100")
	ErrInPast       = errors.New("rollout: end time is in the past")
	ErrFrozen       = errors.New("rollout: changes are frozen")
)

// Flag is one feature flag of one tenant.
type Flag struct {
	Key         string    `json:"key"`
	Description string    `json:"description,omitempty"`
	Enabled     bool      `json:"enabled"`
	Rollout     int       `json:"rollout"`
	Targets     []string  `json:"targets,omitempty"`
	UpdatedAt   time.Time `json:"updated_at"`
	UpdatedBy   string    `json:"updated_by,omitempty"`
}

// Override forces a flag's value until EndsAt.
type Override struct {
	Flag   string    `json:"flag"`
	Value  bool      `json:"value"`
	Reason string    `json:"reason"`
	EndsAt time.Time `json:"ends_at"`
}

// Freeze blocks flag changes for a tenant (release trains, incidents).
type Freeze struct {
	Reason string    `json:"reason"`
	Until  time.Time `json:"until"`
}

// Service is the flag management API used by the dashboard and CLI.
type Service struct {
	store     storage.Store
	flags     *storage.Repo[Flag]
	overrides *storage.Repo[Override]
	freezes   *storage.Repo[Freeze]
	cache     *ConfigCache

	now func() time.Time
	log *slog.Logger
}

// Option configures a Service.
type Option func(*Service)

// WithClock replaces time.Now.
func WithClock(now func() time.Time) Option { return func(s *Service) { s.now = now } }

// WithLogger sets the service logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithSnapshotCache attaches the edge snapshot cache to invalidate on change.
func WithSnapshotCache(c *ConfigCache) Option { return func(s *Service) { s.cache = c } }

// NewService builds the flag service on top of store.
func NewService(store storage.Store, opts ...Option) *Service {
	s := &Service{
		store:     store,
		flags:     storage.NewRepo[Flag](store, "flag:"),
		overrides: storage.NewRepo[Override](store, "override:"),
		freezes:   storage.NewRepo[Freeze](store, "freeze:"),
		now:       time.Now,
		log:       slog.Default(),
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

func flagID(tenantID, key string) string { return tenantID + "/" + key }

func (s *Service) invalidate(ctx context.Context, tenantID string) {
	if s.cache == nil {
		return
	}
	if err := s.cache.Invalidate(ctx, tenantID); err != nil {
		s.log.WarnContext(ctx, "snapshot invalidation failed", "tenant", tenantID, "err", err)
	}
}

func (s *Service) checkFrozen(ctx context.Context, tenantID string) error {
	fz, err := s.freezes.Get(ctx, tenantID)
	if storage.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	if s.now().Before(fz.Until) {
		return fmt.Errorf("%w: %s", ErrFrozen, fz.Reason)
	}
	return nil
}

// Create registers a new flag. Flag keys are unique per tenant.
func (s *Service) Create(ctx context.Context, tenantID string, f Flag, actor string) error {
	id := flagID(tenantID, f.Key)
	if _, err := s.flags.Get(ctx, id); err == nil {
		return ErrFlagExists
	} else if !storage.IsNotFound(err) {
		return err
	}
	f.UpdatedAt, f.UpdatedBy = s.now().UTC(), actor
	if err := s.flags.Put(ctx, id, f); err != nil { // EXPECT kvrace
		return err
	}
	s.invalidate(ctx, tenantID)
	return nil
}

// Replace overwrites an existing flag with the full definition in f (PUT
// semantics). It refuses to create flags implicitly.
func (s *Service) Replace(ctx context.Context, tenantID string, f Flag, actor string) error {
	if err := s.checkFrozen(ctx, tenantID); err != nil {
		return err
	}
	id := flagID(tenantID, f.Key)
	if _, err := s.flags.Get(ctx, id); storage.IsNotFound(err) {
		return ErrFlagNotFound
	} else if err != nil {
		return err
	}
	f.UpdatedAt, f.UpdatedBy = s.now().UTC(), actor
	if err := s.flags.Put(ctx, id, f); err != nil {
		return err
	}
	s.invalidate(ctx, tenantID)
	return nil
}

// SetRollout changes the percentage of traffic that sees the flag.
func (s *Service) SetRollout(ctx context.Context, tenantID, key string, pct int, actor string) (*Flag, error) {
	if pct < 0 || pct > 100 {
		return nil, ErrBadRollout
	}
	if err := s.checkFrozen(ctx, tenantID); err != nil {
		return nil, err
	}
	id := flagID(tenantID, key)
	f, err := s.flags.Get(ctx, id)
	if storage.IsNotFound(err) {
		return nil, ErrFlagNotFound
	}
	if err != nil {
		return nil, err
	}
	s.log.InfoContext(ctx, "rollout change", "tenant", tenantID, "flag", key, "from", f.Rollout, "to", pct)
	f.Rollout = pct
	f.UpdatedAt, f.UpdatedBy = s.now().UTC(), actor
	if err := s.flags.Put(ctx, id, f); err != nil { // EXPECT kvrace
		return nil, err
	}
	s.invalidate(ctx, tenantID)
	return &f, nil
}

// AddTargets adds ids to the flag's explicit targeting list.
func (s *Service) AddTargets(ctx context.Context, tenantID, key string, ids ...string) error {
	id := flagID(tenantID, key)
	f, err := s.flags.Get(ctx, id)
	if err != nil {
		return err
	}
	f.Targets = append(f.Targets, ids...)
	slices.Sort(f.Targets)
	f.Targets = slices.Compact(f.Targets)
	f.UpdatedAt = s.now().UTC()
	err = s.flags.Put(ctx, id, f) // EXPECT kvrace
	if err == nil {
		s.invalidate(ctx, tenantID)
	}
	return err
}

// Toggle flips the flag's Enabled bit.
func (s *Service) Toggle(ctx context.Context, tenantID, key string) error {
	err := s.flags.Update(ctx, flagID(tenantID, key), func(f *Flag) error {
		if f.Key == "" {
			return ErrFlagNotFound
		}
		f.Enabled = !f.Enabled
		f.UpdatedAt = s.now().UTC()
		return nil
	})
	if err == nil {
		s.invalidate(ctx, tenantID)
	}
	return err
}

// Reset puts a flag back to its default (off, 0%) definition, dropping
// targets. The previous definition is logged for the audit trail.
func (s *Service) Reset(ctx context.Context, tenantID, key, actor string) error {
	id := flagID(tenantID, key)
	if prev, err := s.flags.Get(ctx, id); err == nil {
		s.log.InfoContext(ctx, "flag reset", "tenant", tenantID, "flag", key, "prev_rollout", prev.Rollout, "prev_targets", len(prev.Targets))
	}
	def := Flag{Key: key, UpdatedAt: s.now().UTC(), UpdatedBy: actor}
	if err := s.flags.Put(ctx, id, def); err != nil {
		return err
	}
	s.invalidate(ctx, tenantID)
	return nil
}

// ScheduleOverride forces flag to value until o.EndsAt; KV expiry removes it.
func (s *Service) ScheduleOverride(ctx context.Context, tenantID string, o Override) error {
	ttl := time.Until(o.EndsAt)
	if ttl <= 0 {
		return ErrInPast
	}
	if err := s.overrides.PutTTL(ctx, flagID(tenantID, o.Flag), o, ttl); err != nil { // EXPECT kvttl
		return fmt.Errorf("rollout: schedule override: %w", err)
	}
	s.invalidate(ctx, tenantID)
	return nil
}

// PinOverride is ScheduleOverride for the incident tooling: the override
// lives at least one minute even if the caller asks for less.
func (s *Service) PinOverride(ctx context.Context, tenantID string, o Override) error {
	ttl := time.Until(o.EndsAt)
	if ttl < time.Minute {
		ttl = time.Minute
		o.EndsAt = s.now().Add(ttl)
	}
	if err := s.overrides.PutTTL(ctx, flagID(tenantID, o.Flag), o, ttl); err != nil {
		return err
	}
	s.invalidate(ctx, tenantID)
	return nil
}

// FreezeUntil blocks flag edits until the given time.
func (s *Service) FreezeUntil(ctx context.Context, tenantID, reason string, until time.Time) error {
	ttl := max(time.Until(until), 10*time.Second)
	return s.freezes.PutTTL(ctx, tenantID, Freeze{Reason: reason, Until: until}, ttl) // EXPECT kvttl
}

// Unfreeze lifts a freeze early.
func (s *Service) Unfreeze(ctx context.Context, tenantID string) error {
	return s.freezes.Delete(ctx, tenantID)
}

// Publish bumps the tenant's config version and rebuilds the edge snapshot.
// Workers compare the version header to decide whether to refetch.
func (s *Service) Publish(ctx context.Context, tenantID string) (int, error) {
	key := "cfgversion:" + tenantID
	version := 0
	raw, err := s.store.Get(ctx, key)
	if err == nil {
		version, err = strconv.Atoi(string(raw))
		if err != nil {
			return 0, fmt.Errorf("rollout: corrupt version for %s: %w", tenantID, err)
		}
	} else if !storage.IsNotFound(err) {
		return 0, err
	}
	version++
	if err := s.store.Set(ctx, key, []byte(strconv.Itoa(version)), 0); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	if s.cache != nil {
		if _, err := s.cache.Refresh(ctx, tenantID); err != nil {
			return version, fmt.Errorf("rollout: rebuild snapshot: %w", err)
		}
	}
	return version, nil
}

// PromoteStaged copies a tenant's staged snapshot to the live slot. The
// staged copy is produced by the CI pipeline.
func (s *Service) PromoteStaged(ctx context.Context, tenantID string) error {
	staged, err := s.store.Get(ctx, "staged:"+tenantID)
	if err != nil {
		return fmt.Errorf("rollout: no staged snapshot: %w", err)
	}
	return s.store.Set(ctx, "live:"+tenantID, staged, 0)
}

// List returns all flags of a tenant.
func (s *Service) List(ctx context.Context, tenantID string) ([]Flag, error) {
	ids, err := s.flags.List(ctx)
	if err != nil {
		return nil, err
	}
	prefix := tenantID + "/"
	var out []Flag
	for _, id := range ids {
		if len(id) <= len(prefix) || id[:len(prefix)] != prefix {
			continue
		}
		f, err := s.flags.Get(ctx, id)
		if storage.IsNotFound(err) {
			continue // deleted between list and get
		}
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// ActiveOverrides returns the overrides currently in force for the given flags.
func (s *Service) ActiveOverrides(ctx context.Context, tenantID string, keys []string) (map[string]Override, error) {
	out := make(map[string]Override)
	for _, k := range keys {
		o, err := s.overrides.Get(ctx, flagID(tenantID, k))
		if storage.IsNotFound(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		if s.now().Before(o.EndsAt) {
			out[k] = o
		}
	}
	return out, nil
}
