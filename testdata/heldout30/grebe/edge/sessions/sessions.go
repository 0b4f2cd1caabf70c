// Package sessions manages member logins: sessions, magic links and the
// failed-login throttle.
package sessions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strings"
	"time"

	"example.com/grebe/internal/config"
	"example.com/grebe/internal/domain"
	"example.com/grebe/internal/flags"
	"example.com/grebe/internal/store"
)

// ErrThrottled is returned when an address has too many failed logins.
var ErrThrottled = errors.New("sessions: too many attempts")

// Directory resolves a login e-mail to a member.
type Directory interface {
	ByEmail(ctx context.Context, email string) (domain.Member, error)
}

// Mailer sends magic links.
type Mailer interface {
	SendLink(ctx context.Context, to, url string) error
}

// Service manages sessions. All keys it writes start with "sess:" or
// "login-attempts:" / "tmp:attempts:".
type Service struct {
	st     store.Store
	dir    Directory
	mail   Mailer
	flags  *flags.Set
	cfg    config.Config
	now    func() time.Time
	linkTo string
}

// New builds the service.
func New(st store.Store, dir Directory, mail Mailer, fl *flags.Set, cfg config.Config, linkBase string) *Service {
	return &Service{st: st, dir: dir, mail: mail, flags: fl, cfg: cfg, now: time.Now, linkTo: linkBase}
}

func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) save(ctx context.Context, r sessionRecord) error {
	return store.PutJSON(ctx, s.st, r.key(), r, store.PutOptions{TTL: r.lifetime()})
}

// Start creates a session for a member that has just authenticated.
func (s *Service) Start(ctx context.Context, m domain.MemberID, agent string) (domain.Session, error) {
	now := s.now()
	sess := domain.Session{
		ID:        newID(24),
		Member:    m,
		Agent:     agent,
		CreatedAt: now,
		ExpiresAt: now.Add(s.cfg.SessionLifetime),
	}
	if err := s.save(ctx, toRecord(sess)); err != nil {
		return domain.Session{}, err
	}
	return sess, nil
}

func (s *Service) load(ctx context.Context, id string) (sessionRecord, error) {
	r, err := store.GetJSON[sessionRecord](ctx, s.st, sessionRecord{ID: id}.key())
	if err != nil {
		return sessionRecord{}, err
	}
	if r.expired(s.now()) {
		return sessionRecord{}, domain.ErrExpired
	}
	return r, nil
}

// Check resolves a session and slides its idle window forward. It
// implements httpx.SessionChecker.
func (s *Service) Check(ctx context.Context, id string) (domain.Session, error) {
	r, err := s.load(ctx, id)
	if err != nil {
		return domain.Session{}, err
	}
	now := s.now()
	if s.cfg.SessionIdle > 0 && r.Seen > 0 && now.Sub(time.Unix(r.Seen, 0)) > s.cfg.SessionIdle {
		return domain.Session{}, domain.ErrExpired
	}
	r.Seen = now.Unix()
	if err := s.save(ctx, r); err != nil { // EXPECT kvsession
		return domain.Session{}, err
	}
	return fromRecord(r), nil
}

// End logs a session out.
func (s *Service) End(ctx context.Context, id string) error {
	r := sessionRecord{ID: id}
	return s.st.Delete(ctx, r.key()) // EXPECT kvsession
}

// SendLink e-mails a one-time login link.
func (s *Service) SendLink(ctx context.Context, email string) error {
	email = strings.ToLower(strings.TrimSpace(email))
	m, err := s.dir.ByEmail(ctx, email)
	if err != nil {
		return err
	}
	rec := linkRecord{Token: newID(32), Email: email, Member: string(m.ID), Expires: s.now().Add(s.cfg.MagicLinkLifetime)}
	if err := store.PutJSON(ctx, s.st, rec.key(), rec, store.PutOptions{TTL: rec.lifetime()}); err != nil {
		return err
	}
	return s.mail.SendLink(ctx, email, s.linkTo+"?t="+rec.Token)
}

// Redeem exchanges a magic-link token for a session.
func (s *Service) Redeem(ctx context.Context, token, agent string) (domain.Session, error) {
	rec, err := store.GetJSON[linkRecord](ctx, s.st, linkRecord{Token: token}.key())
	if err != nil {
		return domain.Session{}, err
	}
	if !s.now().Before(rec.Expires) {
		return domain.Session{}, domain.ErrExpired
	}
	if err := s.st.Delete(ctx, rec.key()); err != nil { // EXPECT kvsession
		return domain.Session{}, err
	}
	return s.Start(ctx, domain.MemberID(rec.Member), agent)
}

func (s *Service) attemptKey(ctx context.Context, ip string) string {
	if s.flags.Enabled(ctx, flags.MemoryAttempts) {
		return "tmp:attempts:" + ip
	}
	return "login-attempts:" + ip
}

// Throttle refuses addresses over the failed-login limit.
func (s *Service) Throttle(ctx context.Context, ip string) error {
	r, err := store.GetJSON[attemptRecord](ctx, s.st, s.attemptKey(ctx, ip))
	switch {
	case errors.Is(err, store.ErrNotFound):
		return nil
	case err != nil:
		return err
	case r.Count >= s.cfg.LoginAttemptLimit:
		return ErrThrottled
	}
	return nil
}

// Failed records a failed login from ip. The old path keeps the count in
// the shared namespace; the new one keeps it in isolate memory.
func (s *Service) Failed(ctx context.Context, ip string) error {
	key := s.attemptKey(ctx, ip)
	r, err := store.GetJSON[attemptRecord](ctx, s.st, key)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if r.First == 0 {
		r.First = s.now().Unix()
	}
	r.Count++
	if strings.HasPrefix(key, "tmp:") {
		// Isolate-local: the window restarts whenever the isolate does.
		return store.PutJSON(ctx, s.st, key, r, store.PutOptions{TTL: 10 * time.Minute})
	}
	return store.PutJSON(ctx, s.st, key, r, store.PutOptions{TTL: 15 * time.Minute}) // EXPECT kvcounter
}
