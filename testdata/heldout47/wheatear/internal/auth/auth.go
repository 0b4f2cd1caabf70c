// Package auth handles dashboard sign-in: sessions, OAuth state, magic
// links, CSRF tokens and failed-login tracking.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/wheatear/flagsvc/internal/kvkeys"
	"github.com/wheatear/flagsvc/internal/kvstore"
)

const (
	cookieName      = "fs_session"
	maxLoginFails   = 8
	attemptsWindow  = 15 * time.Minute
	slidingInterval = 12 * time.Hour
)

var (
	ErrNoSession = errors.New("auth: no session")
	ErrBadState  = errors.New("auth: oauth state mismatch")
	ErrLinkUsed  = errors.New("auth: magic link unknown or used")
	ErrLockedOut = errors.New("auth: too many failed attempts")
)

// Session is the stored form of a dashboard session.
type Session struct {
	ID        string    `json:"id"`
	UserID    string    `json:"uid"`
	Email     string    `json:"email"`
	Teams     []string  `json:"teams"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// Service is the dashboard authentication service.
type Service struct {
	kv *kvstore.Client
}

// NewService returns a Service over the auth namespace.
func NewService(kv *kvstore.Client) *Service { return &Service{kv: kv} }

func randomToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionKey(id string) string { return kvkeys.PrefixSession + id }

func userSessionKey(uid, id string) string { return kvkeys.PrefixSession + "u:" + uid + ":" + id }

// StartSession creates a session for a user who has just proved who they
// are and sets the cookie.
func (s *Service) StartSession(ctx context.Context, w http.ResponseWriter, uid, email string, teams []string) (*Session, error) {
	sess := &Session{
		ID:        randomToken(32),
		UserID:    uid,
		Email:     email,
		Teams:     teams,
		CreatedAt: time.Now().UTC(),
	}
	sess.LastSeen = sess.CreatedAt
	raw, err := json.Marshal(sess)
	if err != nil {
		return nil, err
	}
	if err := s.kv.PutWithTTL(ctx, sessionKey(sess.ID), raw, kvkeys.TTLSession*time.Second); err != nil {
		return nil, err
	}
	// Index by user so that a password change can find every session.
	if err := s.kv.PutWithTTL(ctx, userSessionKey(uid, sess.ID), nil, kvkeys.TTLSession*time.Second); err != nil {
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{
		Name: cookieName, Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: kvkeys.TTLSession,
	})
	return sess, nil
}

// Authenticate resolves the request's session and extends it.
func (s *Service) Authenticate(r *http.Request) (*Session, error) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return nil, ErrNoSession
	}
	ctx := r.Context()
	key := sessionKey(c.Value)
	raw, err := s.kv.Get(ctx, key)
	if err != nil {
		var nf *kvstore.NotFoundError
		if errors.As(err, &nf) {
			return nil, ErrNoSession
		}
		return nil, err
	}
	var sess Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, ErrNoSession
	}
	sess.LastSeen = time.Now().UTC()
	if raw, err = json.Marshal(&sess); err == nil {
		err = s.kv.PutWithTTL(ctx, key, raw, slidingInterval) // EXPECT kvsession|kvrace
	}
	return &sess, err
}

// Logout ends the request's session.
func (s *Service) Logout(w http.ResponseWriter, r *http.Request) error {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1})
	return s.kv.Delete(r.Context(), sessionKey(c.Value)) // EXPECT kvsession
}

// IssueCSRF mints a CSRF token bound to the session.
func (s *Service) IssueCSRF(ctx context.Context, sess *Session) (string, error) {
	tok := randomToken(24)
	return tok, s.kv.PutWithTTL(ctx, kvkeys.PrefixCSRF+tok, []byte(sess.ID), kvkeys.TTLCSRF*time.Second) // EXPECT kvttl
}

// BeginOAuth stores a fresh state value and returns the provider URL.
func (s *Service) BeginOAuth(ctx context.Context, provider, returnTo string) (string, error) {
	state := randomToken(24)
	raw, _ := json.Marshal(map[string]string{"provider": provider, "return_to": returnTo})
	if err := s.kv.PutWithTTL(ctx, kvkeys.PrefixOAuthState+state, raw, kvkeys.TTLOAuthState*time.Second); err != nil {
		return "", err
	}
	return fmt.Sprintf("https://%s/authorize?state=%s", provider, state), nil
}

// FinishOAuth checks and consumes the state of a provider callback.
func (s *Service) FinishOAuth(ctx context.Context, state string) (returnTo string, err error) {
	key := kvkeys.PrefixOAuthState + state
	raw, err := s.kv.Get(ctx, key)
	if kvstore.IsNotFound(err) {
		return "", ErrBadState
	} else if err != nil {
		return "", err
	}
	var st map[string]string
	if err := json.Unmarshal(raw, &st); err != nil {
		return "", ErrBadState
	}
	if err := s.kv.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", err
	}
	return st["return_to"], nil
}

// SendMagicLink stores a single-use sign-in link for email.
func (s *Service) SendMagicLink(ctx context.Context, email string) (string, error) {
	code := randomToken(32)
	err := s.kv.PutWithTTL(ctx, kvkeys.PrefixMagicLink+code, []byte(strings.ToLower(email)), kvkeys.TTLMagicLink*time.Second)
	return code, err
}

// RedeemMagicLink returns the email the link was sent to and burns it.
func (s *Service) RedeemMagicLink(ctx context.Context, code string) (string, error) {
	key := kvkeys.PrefixMagicLink + code
	raw, err := s.kv.Get(ctx, key)
	if err != nil {
		if kvstore.IsNotFound(err) {
			return "", ErrLinkUsed
		}
		return "", err
	}
	if err := s.kv.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(raw), nil
}

// CheckPassword records a failed attempt and locks the account out after
// maxLoginFails failures in the window.
func (s *Service) CheckPassword(ctx context.Context, email string, ok bool) error {
	key := kvkeys.PrefixLoginAttempts + strings.ToLower(email)
	if ok {
		return s.kv.Delete(ctx, key)
	}
	raw, _ := s.kv.Get(ctx, key) // EXPECT kvnull
	n, _ := strconv.Atoi(string(raw))
	n++
	if err := s.kv.PutWithTTL(ctx, key, []byte(strconv.Itoa(n)), attemptsWindow); err != nil { // EXPECT kvcounter|kvrace
		return err
	}
	if n >= maxLoginFails {
		return ErrLockedOut
	}
	return nil
}

// ChangePassword signs the user out everywhere.
func (s *Service) ChangePassword(ctx context.Context, uid string) (int, error) {
	prefix := kvkeys.PrefixSession + "u:" + uid + ":"
	keys, _, err := s.kv.ListPage(ctx, prefix, "", 1000) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	n := 0
	for _, k := range keys {
		id := strings.TrimPrefix(k.Name, prefix)
		if err := s.kv.Delete(ctx, sessionKey(id)); err != nil { // EXPECT kvsession
			return n, err
		}
		if err := s.kv.Delete(ctx, k.Name); err != nil { // DEBATABLE kvsession
			return n, err
		}
		n++
	}
	return n, nil
}
