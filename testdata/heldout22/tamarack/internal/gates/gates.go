// Package gates records wristband scans at the entrance gates.
package gates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/tamarack/internal/platform/store"
)

// Direction of a scan.
const (
	In  = "in"
	Out = "out"
)

// ErrReentryTooSoon is returned when a band re-enters within the cooldown.
var ErrReentryTooSoon = errors.New("re-entry too soon")

// Scan is one wristband read at a gate.
type Scan struct {
	Gate      string    `json:"gate"`
	Band      string    `json:"band"`
	Direction string    `json:"direction"`
	At        time.Time `json:"at"`
}

// Config is the per-gate configuration kept in the store by operations.
type Config struct {
	Open     bool     `json:"open"`
	Capacity int      `json:"capacity"`
	Tiers    []string `json:"tiers"`
}

// Service validates and records scans.
type Service struct {
	st       store.Store
	cooldown time.Duration
	log      *slog.Logger
	now      func() time.Time
}

// Option configures a Service.
type Option func(*Service)

// WithReentryCooldown sets how long a band must stay out before re-entry.
func WithReentryCooldown(d time.Duration) Option { return func(s *Service) { s.cooldown = d } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// NewService returns a Service.
func NewService(st store.Store, opts ...Option) *Service {
	s := &Service{st: st, cooldown: 2 * time.Minute, log: slog.Default(), now: time.Now}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Record validates and stores a scan.
func (s *Service) Record(ctx context.Context, sc Scan) error {
	if sc.At.IsZero() {
		sc.At = s.now()
	}
	if sc.Direction == In {
		if _, err := s.st.Get(ctx, "gate:out:"+sc.Band); err == nil {
			return ErrReentryTooSoon
		} else if !store.IsNotFound(err) {
			return err
		}
	}
	raw, err := json.Marshal(sc)
	if err != nil {
		return err
	}
	if sc.Direction == Out {
		// Leaving starts the re-entry cooldown; the key simply expires.
		ttl := max(s.cooldown, time.Minute)
		if err := s.st.Put(ctx, "gate:out:"+sc.Band, string(raw), store.WithTTL(ttl)); err != nil {
			return err
		}
	}
	// Journal entries are keyed by band and timestamp, so each is new.
	jkey := fmt.Sprintf("gate:journal:%s:%d", sc.Band, sc.At.UnixNano())
	if err := s.st.Put(ctx, jkey, string(raw), store.WithTTL(72*time.Hour)); err != nil {
		return err
	}
	return s.st.Put(ctx, "gate:last:"+sc.Gate, string(raw)) // DEBATABLE kvhotkey
}

// GateConfig returns the stored configuration of gate. When no configuration
// exists yet, the defaults are written so that operations can edit them.
func (s *Service) GateConfig(ctx context.Context, gate string) (Config, error) {
	key := "gate:config:" + gate
	raw, err := s.st.Get(ctx, key)
	if err != nil { // EXPECT kvnull
		cfg := Config{Open: true, Capacity: 1200, Tiers: []string{"general", "vip", "crew"}}
		b, _ := json.Marshal(cfg)
		return cfg, s.st.Put(ctx, key, string(b))
	}
	var cfg Config
	if err := json.Unmarshal([]byte(raw), &cfg); err != nil {
		return Config{}, err
	}
	return cfg, nil
}
