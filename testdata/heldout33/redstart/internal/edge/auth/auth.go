//go:build js && wasm

// Package auth signs tenant admins in at the edge: password, one-time code,
// magic link and SSO, and the session cookie that follows.
package auth

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/exptrack/redstart/internal/keys"
	"github.com/exptrack/redstart/internal/kvedge"
	"github.com/exptrack/redstart/internal/model"
	"github.com/exptrack/redstart/internal/retry"
	"github.com/exptrack/redstart/internal/uow"
)

// CookieName is the admin session cookie.
const CookieName = "rs_admin"

const (
	sessionLifetime    = 8 * time.Hour
	sessionIdle        = 30 * time.Minute
	failureWindow      = 15 * time.Minute
	maxFailures        = 5
	loginsPerIPMinute  = 20
	maxSessionsPerUser = 200
)

var (
	ErrBadCredentials = errors.New("auth: wrong email or password")
	ErrLocked         = errors.New("auth: too many failed logins")
	ErrThrottled      = errors.New("auth: slow down")
	ErrNoSession      = errors.New("auth: not signed in")
	ErrBadCode        = errors.New("auth: code or link is not valid")
)

// Service signs admins in. Users is the CONFIG namespace (user records are
// published by the admin backend), Sessions the SESSIONS namespace.
type Service struct {
	Users    *kvedge.Store
	Sessions *kvedge.Store
	Now      func() time.Time
}

type userRecord struct {
	Email    string `json:"email"`
	Tenant   string `json:"tenant"`
	Role     string `json:"role"`
	Salt     string `json:"salt"`
	Hash     string `json:"hash"`
	Iter     int    `json:"iter"`
	Disabled bool   `json:"disabled"`
}

func (u *userRecord) verify(password string) bool {
	salt, err := base64.RawStdEncoding.DecodeString(u.Salt)
	if err != nil {
		return false
	}
	want, err := base64.RawStdEncoding.DecodeString(u.Hash)
	if err != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, u.Iter, len(want))
	if err != nil {
		return false
	}
	return subtle.ConstantTimeCompare(got, want) == 1
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Login signs an admin in with email and password.
func (s *Service) Login(ctx context.Context, tenant, email, password, ip string) (*model.Session, string, error) {
	if err := s.throttleIP(ctx, ip); err != nil {
		return nil, "", err
	}
	attemptsKey := keys.LoginAttempts(tenant, email)
	raw, err := s.Sessions.Binding().GetString(attemptsKey, nil) // EXPECT kvnull
	if err != nil {
		return nil, "", err
	}
	failures, _ := strconv.Atoi(raw)
	if failures >= maxFailures {
		return nil, "", ErrLocked
	}

	u := uow.New()
	user, err := s.lookupUser(ctx, tenant, email)
	if err != nil || user.Disabled || !user.verify(password) {
		u.Put(attemptsKey, strconv.Itoa(failures+1), failureWindow) // EXPECT kvcounter
		if cerr := s.Sessions.Commit(ctx, u); cerr != nil {
			return nil, "", cerr
		}
		return nil, "", ErrBadCredentials
	}
	if failures > 0 {
		u.Delete(attemptsKey)
	}
	sess, cookie := s.newSession(user, "password")
	body, _ := json.Marshal(sess)
	u.Put(keys.Session(sess.Tenant, sess.User, sess.ID), string(body), sessionLifetime)
	if err := s.Sessions.Commit(ctx, u); err != nil {
		return nil, "", err
	}
	return sess, cookie, nil
}

func (s *Service) throttleIP(ctx context.Context, ip string) error {
	key := keys.RateLimit("login", ip)
	cur, ok, err := s.Sessions.Get(ctx, key)
	if err != nil {
		return err
	}
	n := 0
	if ok {
		n, _ = strconv.Atoi(cur)
	}
	if n >= loginsPerIPMinute {
		return ErrThrottled
	}
	return s.Sessions.Put(ctx, key, strconv.Itoa(n+1), time.Minute) // EXPECT kvcounter
}

func (s *Service) lookupUser(ctx context.Context, tenant, email string) (*userRecord, error) {
	raw, ok, err := s.Users.GetCached(ctx, keys.User(tenant, email), 5*time.Minute)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrBadCredentials
	}
	var u userRecord
	if err := json.Unmarshal([]byte(raw), &u); err != nil {
		return nil, fmt.Errorf("auth: user record %s: %w", email, err)
	}
	return &u, nil
}

func (s *Service) newSession(u *userRecord, method string) (*model.Session, string) {
	now := s.now()
	sess := &model.Session{
		ID:        randomID(24),
		Tenant:    u.Tenant,
		User:      strings.ToLower(u.Email),
		Role:      u.Role,
		Method:    method,
		CreatedAt: now,
		ExpiresAt: now.Add(sessionLifetime),
		LastSeen:  now,
	}
	return sess, sess.Tenant + "." + base64.RawURLEncoding.EncodeToString([]byte(sess.User)) + "." + sess.ID
}

// issue stores a new session for an admin who proved who they are.
func (s *Service) issue(ctx context.Context, tenant, email, method string) (*model.Session, string, error) {
	user, err := s.lookupUser(ctx, tenant, email)
	if err != nil {
		return nil, "", err
	}
	sess, cookie := s.newSession(user, method)
	body, _ := json.Marshal(sess)
	if err := s.Sessions.Put(ctx, keys.Session(sess.Tenant, sess.User, sess.ID), string(body), sessionLifetime); err != nil {
		return nil, "", err
	}
	return sess, cookie, nil
}

// Authenticate resolves the session cookie and keeps an active session
// alive for another idle period.
func (s *Service) Authenticate(ctx context.Context, r *http.Request) (*model.Session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil {
		return nil, ErrNoSession
	}
	key, ok := sessionKey(c.Value)
	if !ok {
		return nil, ErrNoSession
	}
	raw, found, err := s.Sessions.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNoSession
	}
	var sess model.Session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return nil, ErrNoSession
	}
	now := s.now()
	if now.After(sess.ExpiresAt) || now.Sub(sess.LastSeen) > sessionIdle {
		return nil, ErrNoSession
	}
	sess.LastSeen = now
	body, err := json.Marshal(sess)
	if err != nil {
		return nil, err
	}
	err = retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		return s.Sessions.Put(ctx, key, string(body), sessionLifetime) // EXPECT kvsession
	})
	if err != nil {
		return nil, err
	}
	return &sess, nil
}

// Logout ends the current session.
func (s *Service) Logout(ctx context.Context, sess *model.Session) error {
	u := uow.New()
	u.Delete(keys.Session(sess.Tenant, sess.User, sess.ID)) // EXPECT kvsession
	u.Put("lastlogout:"+sess.Tenant+":"+sess.User, s.now().UTC().Format(time.RFC3339), 90*24*time.Hour)
	return s.Sessions.Commit(ctx, u)
}

// SignOutOthers ends every other session of the signed-in admin.
func (s *Service) SignOutOthers(ctx context.Context, sess *model.Session) (int, error) {
	ended := 0
	err := s.Sessions.Each(ctx, keys.SessionPrefix(sess.Tenant, sess.User), func(key string, _ kvedge.Meta) error {
		if strings.HasSuffix(key, ":"+sess.ID) {
			return nil
		}
		if err := s.Sessions.Delete(ctx, key); err != nil { // EXPECT kvsession
			return err
		}
		ended++
		if ended >= maxSessionsPerUser {
			return kvedge.ErrStop
		}
		return nil
	})
	return ended, err
}

// StartOTP creates a one-time sign-in code to be mailed to the admin.
func (s *Service) StartOTP(ctx context.Context, tenant, email, ip string) (string, error) {
	code, err := sixDigits()
	if err != nil {
		return "", err
	}
	u := uow.New()
	u.Put(keys.OTP(tenant, email), code, 30*time.Second) // EXPECT kvttl
	u.Put("otp-sent:"+tenant+":"+strings.ToLower(email)+":"+randomID(6), ip, 24*time.Hour)
	if err := s.Sessions.Commit(ctx, u); err != nil {
		return "", err
	}
	return code, nil
}

// VerifyOTP signs the admin in with the code from the mail.
func (s *Service) VerifyOTP(ctx context.Context, tenant, email, code string) (*model.Session, string, error) {
	key := keys.OTP(tenant, email)
	want, found, err := s.Sessions.Get(ctx, key)
	if err != nil {
		return nil, "", err
	}
	if !found || subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
		return nil, "", ErrBadCode
	}
	if err := s.Sessions.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, "", err
	}
	return s.issue(ctx, tenant, email, "otp")
}

type magicLink struct {
	Tenant string    `json:"tenant"`
	Email  string    `json:"email"`
	Used   bool      `json:"used"`
	UsedAt time.Time `json:"used_at,omitzero"`
}

// SendMagicLink creates a sign-in link token.
func (s *Service) SendMagicLink(ctx context.Context, tenant, email string) (string, error) {
	token := randomID(32)
	body, _ := json.Marshal(magicLink{Tenant: tenant, Email: strings.ToLower(email)})
	if err := s.Sessions.Put(ctx, keys.MagicLink(token), string(body), 15*time.Minute); err != nil {
		return "", err
	}
	return token, nil
}

// RedeemMagicLink signs the admin in with a link token. A used link stays
// stored for a while so that a second click gets a clear message.
func (s *Service) RedeemMagicLink(ctx context.Context, token string) (*model.Session, string, error) {
	key := keys.MagicLink(token)
	raw, found, err := s.Sessions.Get(ctx, key)
	if err != nil {
		return nil, "", err
	}
	if !found {
		return nil, "", ErrBadCode
	}
	var link magicLink
	if err := json.Unmarshal([]byte(raw), &link); err != nil || link.Used {
		return nil, "", ErrBadCode
	}
	link.Used, link.UsedAt = true, s.now()
	body, _ := json.Marshal(link)
	if err := s.Sessions.Put(ctx, key, string(body), time.Hour); err != nil { // EXPECT kvsession
		return nil, "", err
	}
	return s.issue(ctx, link.Tenant, link.Email, "magic-link")
}

func sessionKey(cookie string) (string, bool) {
	parts := strings.Split(cookie, ".")
	if len(parts) != 3 || parts[0] == "" || parts[2] == "" {
		return "", false
	}
	user, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil || len(user) == 0 {
		return "", false
	}
	return keys.Session(parts[0], string(user), parts[2]), true
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sixDigits() (string, error) {
	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%06d", n.Int64()), nil
}
