// Package portal implements the lab-portal's sign-in: sessions, email
// verification links, and sign-in challenges.
package portal

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"time"

	"example.com/pylon/internal/repo"
	"example.com/pylon/internal/storage"
)

// Session is a signed-in portal user.
type Session struct {
	ID       string
	UserID   string
	LabID    string
	Roles    []string
	Created  time.Time
	Expires  time.Time
	LastSeen time.Time
}

// ErrNoSession is returned for unknown or expired sessions.
var ErrNoSession = errors.New("portal: no such session")

// ErrLocked is returned after too many failed sign-ins.
var ErrLocked = errors.New("portal: too many attempts")

// Sessions stores sessions under sess:<user>:<random>.
type Sessions struct {
	repo   *repo.Repo[Session]
	store  storage.ReadWriter
	lister storage.Lister
	life   time.Duration
	idle   time.Duration
	now    func() time.Time
}

// NewSessions wires the session store. Sessions last a working day.
func NewSessions(store storage.Store, idle time.Duration) *Sessions {
	const life = 12 * time.Hour
	return &Sessions{
		repo:   repo.New[Session](store, "sess:", repo.WithTTL[Session](life)),
		store:  store,
		lister: store,
		life:   life,
		idle:   idle,
		now:    time.Now,
	}
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create starts a session for a user who just signed in.
func (s *Sessions) Create(ctx context.Context, userID, labID string, roles []string) (Session, error) {
	now := s.now().UTC()
	sess := Session{
		ID:       userID + ":" + randomID(24),
		UserID:   userID,
		LabID:    labID,
		Roles:    roles,
		Created:  now,
		Expires:  now.Add(s.life),
		LastSeen: now,
	}
	return sess, s.repo.Save(ctx, sess.ID, sess)
}

// Authenticate loads a session and checks it has not expired.
func (s *Sessions) Authenticate(ctx context.Context, id string) (Session, error) {
	sess, err := s.repo.Get(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	if s.now().After(sess.Expires) {
		return Session{}, ErrNoSession
	}
	return sess, nil
}

// Touch extends an active session by the idle timeout.
func (s *Sessions) Touch(ctx context.Context, sess Session) error {
	now := s.now().UTC()
	sess.LastSeen = now
	sess.Expires = now.Add(s.idle)
	return s.repo.SaveFor(ctx, sess.ID, sess, s.idle) // EXPECT kvsession
}

// Logout ends a session.
func (s *Sessions) Logout(ctx context.Context, id string) error {
	return s.repo.Delete(ctx, id) // EXPECT kvsession
}

// RevokeAll ends every session of a user, e.g. after a password change.
func (s *Sessions) RevokeAll(ctx context.Context, userID string) (int, error) {
	page, err := s.lister.List(ctx, storage.ListOptions{Prefix: s.repo.Key(userID + ":")}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range page.Keys {
		if err := s.store.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
			return n, err
		}
		n++
	}
	return n, nil
}

func attemptsKey(email string) string { return "login-attempts:" + strings.ToLower(email) }

// FailedSignIn records a failed password attempt and locks the account for
// 15 minutes after five in a row.
func (s *Sessions) FailedSignIn(ctx context.Context, email string) error {
	n := 0
	raw, err := s.store.Get(ctx, attemptsKey(email))
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !errors.Is(err, storage.ErrNotFound) {
		return err
	}
	n++
	if err := s.store.Put(ctx, attemptsKey(email), []byte(strconv.Itoa(n)), storage.PutOptions{TTL: 15 * time.Minute}); err != nil { // EXPECT kvcounter
		return err
	}
	if n >= 5 {
		return ErrLocked
	}
	return nil
}
