// Package admin authenticates the people who run godwit accounts: password
// and magic-link login, cookie sessions, CSRF tokens and API refresh tokens.
package admin

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"godwit/internal/keys"
	"godwit/internal/kvstore"
)

var (
	ErrBadCredentials = errors.New("invalid email or password")
	ErrLocked         = errors.New("too many failed logins, try again later")
	ErrNoSession      = errors.New("not signed in")
	ErrBadCSRF        = errors.New("invalid form token")
)

const (
	maxFailedLogins    = 5
	maxSessionsPerUser = 200
	pbkdf2Rounds       = 600_000
)

// Session is a signed-in browser.
type Session struct {
	ID        string    `json:"id"`
	User      string    `json:"user"`
	IP        string    `json:"ip"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// User is an admin's profile.
type User struct {
	Email       string    `json:"email"`
	Name        string    `json:"name"`
	Role        string    `json:"role"`
	Accounts    []string  `json:"accounts"`
	LastLoginAt time.Time `json:"last_login_at,omitzero"`
}

type credential struct {
	Salt      []byte    `json:"salt"`
	Hash      []byte    `json:"hash"`
	ChangedAt time.Time `json:"changed_at"`
}

type attempts struct {
	Count int       `json:"count"`
	First time.Time `json:"first"`
}

// LinkMailer sends sign-in links.
type LinkMailer interface {
	SendMagicLink(ctx context.Context, to, link string) error
}

// Service manages admin authentication.
type Service struct {
	store      kvstore.Store
	sessionTTL time.Duration
	idle       time.Duration
	mail       LinkMailer
	baseURL    string
}

// New returns a Service. sessionTTL and idle come from configuration.
func New(store kvstore.Store, sessionTTL, idle time.Duration, mail LinkMailer, baseURL string) *Service {
	return &Service{store: store, sessionTTL: sessionTTL, idle: idle, mail: mail, baseURL: baseURL}
}

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func (s *Service) sessionKey(user, id string) string {
	return keys.Build(keys.AdminSession, user, id)
}

func (s *Service) user(ctx context.Context, email string) (User, error) {
	var u User
	raw, err := s.store.Get(ctx, keys.Build(keys.AdminUser, email))
	if errors.Is(err, kvstore.ErrNotFound) {
		return u, ErrBadCredentials
	}
	if err != nil {
		return u, err
	}
	return u, json.Unmarshal(raw, &u)
}

func (s *Service) saveUser(ctx context.Context, u User) error {
	raw, err := json.Marshal(u)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, keys.Build(keys.AdminUser, u.Email), raw, kvstore.PutOptions{})
}

func hashPassword(password string, salt []byte) []byte {
	h, _ := pbkdf2.Key(sha256.New, password, salt, pbkdf2Rounds, 32)
	return h
}

// Login checks a password and opens a session. It returns the session and
// the CSRF token of its first form.
func (s *Service) Login(ctx context.Context, email, password, ip string) (sess Session, csrf string, err error) {
	email = strings.ToLower(strings.TrimSpace(email))
	if err := s.checkAttempts(ctx, email); err != nil {
		return Session{}, "", err
	}
	u, err := s.user(ctx, email)
	if err != nil {
		return Session{}, "", err
	}
	raw, err := s.store.Get(ctx, keys.Build(keys.AdminCredential, email))
	if err != nil {
		return Session{}, "", ErrBadCredentials
	}
	var cred credential
	if err := json.Unmarshal(raw, &cred); err != nil {
		return Session{}, "", err
	}
	if subtle.ConstantTimeCompare(hashPassword(password, cred.Salt), cred.Hash) != 1 {
		if ferr := s.failedLogin(ctx, email); ferr != nil {
			return Session{}, "", ferr
		}
		return Session{}, "", ErrBadCredentials
	}
	defer func() {
		if err == nil {
			u.LastLoginAt = time.Now().UTC()
			_ = s.saveUser(ctx, u) // EXPECT kvrace
		}
	}()
	return s.open(ctx, email, ip)
}

func (s *Service) open(ctx context.Context, user, ip string) (Session, string, error) {
	now := time.Now().UTC()
	sess := Session{ID: randomID(32), User: user, IP: ip, CreatedAt: now, LastSeen: now}
	raw, _ := json.Marshal(sess)
	if err := s.store.Put(ctx, s.sessionKey(user, sess.ID), raw, kvstore.PutOptions{TTL: s.sessionTTL}); err != nil {
		return Session{}, "", err
	}
	csrf := randomID(24)
	if err := s.store.Put(ctx, keys.Build(keys.CSRF, sess.ID), []byte(csrf), kvstore.PutOptions{TTL: s.sessionTTL}); err != nil {
		return Session{}, "", err
	}
	return sess, csrf, nil
}

func (s *Service) checkAttempts(ctx context.Context, email string) error {
	raw, err := s.store.Get(ctx, keys.Build(keys.LoginAttempts, email))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	var a attempts
	if err := json.Unmarshal(raw, &a); err != nil {
		return nil
	}
	if a.Count >= maxFailedLogins {
		return ErrLocked
	}
	return nil
}

func (s *Service) failedLogin(ctx context.Context, email string) error {
	key := keys.Build(keys.LoginAttempts, email)
	var a attempts
	raw, err := s.store.Get(ctx, key)
	switch {
	case err == nil:
		_ = json.Unmarshal(raw, &a)
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	if a.Count == 0 {
		a.First = time.Now().UTC()
	}
	a.Count++
	out, _ := json.Marshal(a)
	return s.store.Put(ctx, key, out, kvstore.PutOptions{TTL: keys.TTL(keys.LoginAttempts)}) // EXPECT kvcounter
}

// Authenticate returns the session behind a cookie and extends its idle
// timeout.
func (s *Service) Authenticate(ctx context.Context, user, id string) (Session, error) {
	key := s.sessionKey(user, id)
	raw, err := s.store.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return Session{}, err
	}
	if time.Since(sess.LastSeen) > s.idle {
		return Session{}, ErrNoSession
	}
	sess.LastSeen = time.Now().UTC()
	out, _ := json.Marshal(sess)
	ttl := max(time.Until(sess.CreatedAt.Add(s.sessionTTL)), time.Minute)
	if err := s.store.Put(ctx, key, out, kvstore.PutOptions{TTL: ttl}); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	return sess, nil
}

// Logout ends a session.
func (s *Service) Logout(ctx context.Context, sess Session) error {
	return s.store.Delete(ctx, s.sessionKey(sess.User, sess.ID)) // EXPECT kvsession
}

// CheckCSRF compares a submitted form token with the session's.
func (s *Service) CheckCSRF(ctx context.Context, sessionID, submitted string) error {
	raw, err := s.store.Get(ctx, keys.Build(keys.CSRF, sessionID))
	if err != nil {
		return ErrBadCSRF
	}
	if subtle.ConstantTimeCompare(raw, []byte(submitted)) != 1 {
		return ErrBadCSRF
	}
	return nil
}

// RotateCSRF issues a new form token after a state-changing request.
func (s *Service) RotateCSRF(ctx context.Context, sessionID string) (string, error) {
	tok := randomID(24)
	err := s.store.Put(ctx, keys.Build(keys.CSRF, sessionID), []byte(tok), kvstore.PutOptions{TTL: s.sessionTTL}) // EXPECT kvsession
	return tok, err
}

// ChangePassword stores a new password and signs the user out everywhere
// except the session that made the change.
func (s *Service) ChangePassword(ctx context.Context, email, password, keepSession string) error {
	salt := make([]byte, 16)
	_, _ = rand.Read(salt)
	raw, _ := json.Marshal(credential{Salt: salt, Hash: hashPassword(password, salt), ChangedAt: time.Now().UTC()})
	if err := s.store.Put(ctx, keys.Build(keys.AdminCredential, email), raw, kvstore.PutOptions{}); err != nil {
		return err
	}
	sessions := kvstore.Keys(ctx, s.store, keys.Prefix(keys.AdminSession, email))
	for k, err := range kvstore.First(sessions, maxSessionsPerUser) {
		if err != nil {
			return err
		}
		if strings.HasSuffix(k.Name, "/"+keepSession) {
			continue
		}
		if err := s.store.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
			return err
		}
	}
	return nil
}
