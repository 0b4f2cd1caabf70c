// Package accounts handles creator sign-in for the dashboard: sessions,
// magic links, CSRF tokens and the OAuth link to podcast directories.
package accounts

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/samber/lo"

	"dunnock/internal/kvstore"
)

const (
	sessionCookie = "dn_session"
	sessionTTL    = 14 * 24 * time.Hour
	magicTTL      = 15 * time.Minute
)

// Session is a signed-in creator.
type Session struct {
	ID       string    `json:"id"`
	UserID   string    `json:"user_id"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
	Remember bool      `json:"remember"`
}

// ErrNoSession is returned when the cookie does not name a live session.
var ErrNoSession = errors.New("accounts: no session")

// Sessions stores sessions in KV.
type Sessions struct {
	kv kvstore.Store
}

// NewSessions returns a Sessions.
func NewSessions(kv kvstore.Store) *Sessions { return &Sessions{kv: kv} }

func randomID(n int) string {
	b := make([]byte, n)
	lo.Must(rand.Read(b))
	return hex.EncodeToString(b)
}

func sessionKey(id string) string { return "sess/" + id }

// Start creates a session and sets its cookie.
func (s *Sessions) Start(ctx context.Context, w http.ResponseWriter, userID string, remember bool) (Session, error) {
	sess := Session{ID: randomID(24), UserID: userID, Created: time.Now(), LastSeen: time.Now(), Remember: remember}
	ttl := lo.Ternary(remember, sessionTTL, 12*time.Hour)
	if err := kvstore.PutJSON(ctx, s.kv, sessionKey(sess.ID), sess, ttl); err != nil {
		return Session{}, err
	}
	if err := s.kv.Put(ctx, kvstore.Entry{Key: fmt.Sprintf("usersess/%s/%s", userID, sess.ID), Value: "1", TTL: kvstore.Seconds(ttl)}); err != nil {
		return Session{}, err
	}
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: sess.ID, Path: "/",
		MaxAge: int(ttl.Seconds()), HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
	})
	return sess, nil
}

// Load returns the session named by the request cookie.
func (s *Sessions) Load(ctx context.Context, r *http.Request) (Session, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return Session{}, ErrNoSession
	}
	var sess Session
	if err := kvstore.GetJSON(ctx, s.kv, sessionKey(c.Value), &sess); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return Session{}, ErrNoSession
		}
		return Session{}, err
	}
	return sess, nil
}

// Touch extends the session on each dashboard request.
func (s *Sessions) Touch(ctx context.Context, r *http.Request) (Session, error) {
	sess, err := s.Load(ctx, r)
	if err != nil {
		return Session{}, err
	}
	sess.LastSeen = time.Now()
	ttl := lo.Ternary(sess.Remember, sessionTTL, 12*time.Hour)
	return sess, kvstore.PutJSON(ctx, s.kv, sessionKey(sess.ID), sess, ttl) // EXPECT kvsession|kvrace
}

// End signs the creator out.
func (s *Sessions) End(ctx context.Context, w http.ResponseWriter, sess Session) error {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1})
	return kvstore.Remove(ctx, s.kv, sessionKey(sess.ID)) // EXPECT kvsession
}

// EndAll signs the user out everywhere, e.g. after a password change.
func (s *Sessions) EndAll(ctx context.Context, userID string) error {
	prefix := fmt.Sprintf("usersess/%s/", userID)
	page, err := s.kv.List(ctx, prefix, "", 100) // EXPECT kvlist
	if err != nil {
		return err
	}
	var errs []error
	for _, k := range page.Keys {
		id := strings.TrimPrefix(k, prefix)
		errs = append(errs, s.kv.Delete(ctx, sessionKey(id))) // EXPECT kvsession
		errs = append(errs, s.kv.Delete(ctx, k))
	}
	return errors.Join(errs...)
}

// RememberDevice stores a device record that lives as long as the
// "remember this device" cookie.
func (s *Sessions) RememberDevice(ctx context.Context, c *http.Cookie, userID string) error {
	rec := kvstore.Entry{Key: "device/" + c.Value, Value: userID}
	switch {
	case c.MaxAge > 0:
		rec.TTL = c.MaxAge
	case !c.Expires.IsZero():
		rec.TTL = int(time.Until(c.Expires).Seconds()) // EXPECT kvttl
	default:
		rec.TTL = kvstore.Seconds(30 * 24 * time.Hour)
	}
	return s.kv.Put(ctx, rec)
}

// Magic links ----------------------------------------------------------------

// SendMagicLink stores a sign-in code and returns it for the mailer.
func (s *Sessions) SendMagicLink(ctx context.Context, email string) (string, error) {
	code := randomID(16)
	rec := map[string]string{"email": strings.ToLower(email), "issued": time.Now().Format(time.RFC3339)}
	return code, kvstore.PutJSON(ctx, s.kv, "magic/"+code, rec, magicTTL)
}

// RedeemMagicLink exchanges a code for the email it was sent to.
func (s *Sessions) RedeemMagicLink(ctx context.Context, code string) (string, error) {
	var rec map[string]string
	if err := kvstore.GetJSON(ctx, s.kv, "magic/"+code, &rec); err != nil {
		return "", err
	}
	if err := s.kv.Delete(ctx, "magic/"+code); err != nil { // EXPECT kvsession
		return "", err
	}
	return rec["email"], nil
}

// CSRF -----------------------------------------------------------------------

// IssueCSRF mints a form token for the session.
func (s *Sessions) IssueCSRF(ctx context.Context, sess Session) (string, error) {
	tok := randomID(16)
	return tok, s.kv.Put(ctx, kvstore.Entry{Key: "csrf/" + sess.ID + "/" + tok, Value: "1", TTL: 3600})
}

// CheckCSRF verifies and consumes a form token.
func (s *Sessions) CheckCSRF(ctx context.Context, sess Session, tok string) error {
	key := "csrf/" + sess.ID + "/" + tok
	if _, found, err := kvstore.TryGet(ctx, s.kv, key); err != nil || !found {
		return errors.Join(err, errors.New("accounts: bad csrf token"))
	}
	return kvstore.Remove(ctx, s.kv, key) // EXPECT kvsession
}

// Directory OAuth --------------------------------------------------------------

type oauthState struct {
	UserID   string `json:"user_id"`
	Show     string `json:"show"`
	Redirect string `json:"redirect"`
}

// BeginDirectoryLink starts the OAuth flow that links a show to a
// podcast directory.
func (s *Sessions) BeginDirectoryLink(ctx context.Context, sess Session, show, redirect string) (string, error) {
	state := randomID(16)
	st := oauthState{sess.UserID, show, redirect}
	return state, kvstore.PutJSON(ctx, s.kv, "oauth/"+state, st, 10*time.Minute)
}

// FinishDirectoryLink validates the returned state and consumes it.
func (s *Sessions) FinishDirectoryLink(ctx context.Context, state string) (oauthState, error) {
	var st oauthState
	if err := kvstore.GetJSON(ctx, s.kv, "oauth/"+state, &st); err != nil {
		return oauthState{}, err
	}
	defer s.kv.Delete(ctx, "oauth/"+state) // EXPECT kvsession
	return st, nil
}
