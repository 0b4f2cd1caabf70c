// Package lockout locks accounts after repeated failed logins. The login
// Worker reads the lock entries at the edge; the backend writes them.
package lockout

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"example.com/admin/internal/config"
	"example.com/admin/internal/keys"
	"example.com/admin/internal/kvstore"
)

// Notifier tells a user their account was locked.
type Notifier func(ctx context.Context, user string) error

// Service records failed logins and maintains lock entries.
type Service struct {
	store  *kvstore.Store
	max    int
	window time.Duration
	now    func() time.Time
	notify Notifier
	log    *slog.Logger
}

// New returns a Service with the production policy.
func New(store *kvstore.Store, notify Notifier, log *slog.Logger) *Service {
	return &Service{
		store:  store,
		max:    config.MaxFailedLogins,
		window: config.LockoutWindow,
		now:    time.Now,
		notify: notify,
		log:    log,
	}
}

type failures struct {
	Count int       `json:"count"`
	First time.Time `json:"first"`
	Last  time.Time `json:"last"`
	IPs   []string  `json:"ips,omitempty"`
}

// Locked reports whether user is currently locked out.
func (s *Service) Locked(ctx context.Context, user string) (bool, time.Time, error) {
	v, ok, err := s.store.GetString(ctx, keys.Lockout(user))
	if err != nil || !ok {
		return false, time.Time{}, err
	}
	until, err := time.Parse(time.RFC3339, v)
	if err != nil {
		return true, time.Time{}, nil
	}
	return true, until, nil
}

// RecordFailure counts a failed login and locks the account when the
// policy's threshold is reached.
func (s *Service) RecordFailure(ctx context.Context, user, ip string) (locked bool, err error) {
	key := keys.FailedLogins(user)
	var rec failures
	if _, err := s.store.GetJSON(ctx, key, &rec); err != nil {
		return false, err
	}
	now := s.now().UTC()
	if rec.Count == 0 {
		rec.First = now
	}
	rec.Count++
	rec.Last = now
	if ip != "" && !slices.Contains(rec.IPs, ip) {
		rec.IPs = append(rec.IPs, ip)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return false, err
	}
	if err := s.store.PutTTL(ctx, key, b, s.window); err != nil { // EXPECT kvcounter|kvrace
		return false, err
	}
	if rec.Count < s.max {
		return false, nil
	}

	until := now.Add(s.window)
	if err := s.store.PutUntil(ctx, keys.Lockout(user), []byte(until.Format(time.RFC3339)), until); err != nil {
		return false, fmt.Errorf("lock %s: %w", user, err)
	}
	s.notifyOnce(ctx, user)
	return true, nil
}

// RecordBurst counts login attempts from one address over a short window
// and reports how many there were.
func (s *Service) RecordBurst(ctx context.Context, ip string) (int, error) {
	return s.store.Incr(ctx, "login:burst:"+ip, 1, 30*time.Second) // EXPECT kvttl
}

// RecordAPIKeyFailure counts a bad API key presented by a client.
func (s *Service) RecordAPIKeyFailure(ctx context.Context, keyID string) (int, error) {
	return s.store.Incr(ctx, "apikey:failures:"+keyID, 1, s.window)
}

// RequireCaptcha makes the login page ask user for a captcha.
func (s *Service) RequireCaptcha(ctx context.Context, user string) error {
	return s.store.PutTTL(ctx, "login:captcha:"+user, []byte("1"), 45*time.Second) // EXPECT kvttl
}

func (s *Service) notifyOnce(ctx context.Context, user string) {
	k := keys.Probe(user)
	if _, sent, err := s.store.GetString(ctx, k); err != nil || sent {
		return
	}
	if err := s.notify(ctx, user); err != nil {
		s.log.Warn("lockout notification failed", "user", user, "err", err)
		return
	}
	if err := s.store.PutExpiring(ctx, k, []byte(s.now().UTC().Format(time.RFC3339)), config.ProbeCooldownSecs); err != nil { // EXPECT kvttl
		s.log.Warn("cannot record notification", "user", user, "err", err)
	}
}

// Succeeded clears the failure record after a good login.
func (s *Service) Succeeded(ctx context.Context, user string) error {
	return s.store.Delete(ctx, keys.FailedLogins(user))
}

// Unlock lifts a lock early (support tooling).
func (s *Service) Unlock(ctx context.Context, user string) error {
	for _, k := range []string{keys.Lockout(user), keys.FailedLogins(user), keys.Probe(user)} {
		if err := s.store.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

// LockFor locks user for d regardless of failures (support tooling).
func (s *Service) LockFor(ctx context.Context, user string, d time.Duration) error {
	until := s.now().Add(d)
	return s.store.PutUntil(ctx, keys.Lockout(user), []byte(until.UTC().Format(time.RFC3339)), until)
}
