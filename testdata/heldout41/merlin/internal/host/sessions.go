//go:build js && wasm

package host

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"merlin/internal/bus"
	"merlin/internal/events"
	"merlin/internal/httpx"
	"merlin/internal/kvstore"
)

const (
	sessionCookie  = "merlin_sid"
	maxLoginTries  = 5
	lockoutPeriod  = 15 * time.Minute
	maxSessionsIdx = 20
)

// Session is what the worker keeps for a signed-in host.
type Session struct {
	HostID    string    `json:"host_id"`
	UserAgent string    `json:"ua"`
	CreatedAt time.Time `json:"created_at"`
	SeenAt    time.Time `json:"seen_at"`
}

// Authenticate resolves the session cookie of r.
func (s *Service) Authenticate(r *http.Request) (Session, string, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || len(c.Value) != 32 {
		return Session{}, "", httpx.Errorf(http.StatusUnauthorized, "not signed in")
	}
	ctx := r.Context()
	key := s.keys.Session(c.Value)
	found, err := kvstore.GetJSON[Session](ctx, s.store, key).Unwrap()
	if err != nil {
		return Session{}, "", err
	}
	sess, ok := found.Get()
	if !ok {
		return Session{}, "", httpx.Errorf(http.StatusUnauthorized, "session expired")
	}
	if rev, err := s.store.Get(ctx, s.keys.Revoked(sess.HostID)).Unwrap(); err == nil { // DEBATABLE kvsession
		if v, ok := rev.Get(); ok {
			if at, err := strconv.ParseInt(v, 10, 64); err == nil && sess.CreatedAt.Unix() <= at {
				return Session{}, "", httpx.Errorf(http.StatusUnauthorized, "session revoked")
			}
		}
	}
	cfg := s.cfg.Load()
	if time.Since(sess.SeenAt) > time.Minute {
		sess.SeenAt = time.Now()
		if err := s.store.PutJSON(ctx, key, sess, cfg.SessionTTL); err != nil { // EXPECT kvsession|kvrace
			return Session{}, "", err
		}
	}
	return sess, c.Value, nil
}

// Me returns the current session.
func (s *Service) Me(w http.ResponseWriter, r *http.Request) error {
	sess, _, err := s.Authenticate(r)
	if err != nil {
		return err
	}
	return httpx.JSON(w, http.StatusOK, sess)
}

func (s *Service) lockedOut(ctx context.Context, email string) bool {
	cur, err := s.store.Get(ctx, s.keys.LoginAttempts(email)).Unwrap()
	if err != nil {
		return false
	}
	n, _ := strconv.Atoi(cur.OrElse("0"))
	return n >= maxLoginTries
}

func (s *Service) noteFailure(ctx context.Context, email string) error {
	key := s.keys.LoginAttempts(email)
	cur, err := s.store.Get(ctx, key).Unwrap()
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(cur.OrElse("0"))
	return s.store.Put(ctx, key, strconv.Itoa(n+1), lockoutPeriod) // EXPECT kvcounter|kvrace
}

// Register subscribes the session projection to the bus.
func (s *Service) Register(b *bus.Bus) {
	h := func(ctx context.Context, evt bus.Event) error {
		return evt.(events.Event).Apply(sessionProjector{s: s, ctx: ctx})
	}
	for _, t := range []string{events.TopicHostLogin, events.TopicHostLogout, events.TopicPasswordChanged} {
		b.Subscribe(t, h)
	}
}

// sessionProjector writes session records in response to host events.
type sessionProjector struct {
	events.Ignore
	s   *Service
	ctx context.Context
}

func (p sessionProjector) VisitHostLogin(e events.HostLoggedIn) error {
	cfg := p.s.cfg.Load()
	sess := Session{HostID: e.HostID, UserAgent: e.UserAgent, CreatedAt: e.At, SeenAt: e.At}
	if err := p.s.store.PutJSON(p.ctx, p.s.keys.Session(e.SessionID), sess, cfg.SessionTTL); err != nil { // DEBATABLE kvsession
		return err
	}
	// Keep the latest sessions per host so the dashboard can list devices.
	idxKey := p.s.keys.HostSessions(e.HostID)
	idx, err := kvstore.GetJSON[[]string](p.ctx, p.s.store, idxKey).Unwrap()
	if err != nil {
		return err
	}
	ids := append(idx.OrElse(nil), e.SessionID)
	if len(ids) > maxSessionsIdx {
		ids = ids[len(ids)-maxSessionsIdx:]
	}
	return p.s.store.PutJSON(p.ctx, idxKey, ids, cfg.SessionTTL) // EXPECT kvrace|kvsession
}

func (p sessionProjector) VisitHostLogout(e *events.HostLoggedOut) error {
	return p.s.store.Delete(p.ctx, p.s.keys.Session(e.SessionID)) // EXPECT kvsession
}

func (p sessionProjector) VisitPasswordChanged(e events.PasswordChanged) error {
	cfg := p.s.cfg.Load()
	at := strconv.FormatInt(e.At.Unix(), 10)
	return p.s.store.Put(p.ctx, p.s.keys.Revoked(e.HostID), at, cfg.SessionTTL) // EXPECT kvsession
}
