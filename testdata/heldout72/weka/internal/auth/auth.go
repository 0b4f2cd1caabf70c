// Package auth keeps sign-in state in KV: browser sessions, one-time login
// links and codes, OAuth round-trip state and refresh tokens.
package auth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"weka/internal/kvstore"
)

var (
	ErrNoSession    = errors.New("auth: no session")
	ErrLinkInvalid  = errors.New("auth: login link invalid or used")
	ErrStateInvalid = errors.New("auth: oauth state mismatch")
	ErrTooMany      = errors.New("auth: too many attempts")
)

const (
	sessionLifetime = 14 * 24 * time.Hour
	magicLifetime   = 15 * time.Minute
	stateLifetime   = 10 * time.Minute
	refreshLifetime = 30 * 24 * time.Hour
	otpWindow       = 30 // seconds a code stays valid
	maxAttempts     = 5
)

// Session is a signed-in browser.
type Session struct {
	ID        string    `json:"-"`
	UserID    uint64    `json:"uid"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created"`
	ExpiresAt time.Time `json:"expires"`
}

// Service issues and checks credentials.
type Service struct {
	KV *kvstore.Client
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessKey(id string) string        { return "sess:" + id }
func userSessKey(uid uint64) string   { return fmt.Sprintf("usess:%d", uid) }
func magicKey(token string) string    { return "magic:" + token }
func stateKey(state string) string    { return "oauth-state:" + state }
func refreshKey(token string) string  { return "refresh:" + token }
func attemptsKey(email string) string { return "attempts:login:" + email }

// NewSession signs uid in and returns the new session.
func (s *Service) NewSession(ctx context.Context, uid uint64, now time.Time) (*Session, error) {
	sess := &Session{ID: randomID(32), UserID: uid, CSRF: randomID(18), CreatedAt: now, ExpiresAt: now.Add(sessionLifetime)}
	raw, _ := json.Marshal(sess)
	if err := s.KV.PutTTL(ctx, kvstore.NSAuth, sessKey(sess.ID), raw, sessionLifetime); err != nil {
		return nil, err
	}
	return sess, s.indexSession(ctx, uid, sess.ID)
}

// indexSession remembers id among the sessions of uid, for "sign out
// everywhere".
func (s *Service) indexSession(ctx context.Context, uid uint64, id string) error {
	var ids []string
	raw, found, err := s.KV.Get(ctx, kvstore.NSAuth, userSessKey(uid))
	if err != nil {
		return err
	}
	if found {
		if err := json.Unmarshal(raw, &ids); err != nil {
			return err
		}
	}
	ids = append(ids, id)
	out, _ := json.Marshal(ids)
	return s.KV.Put(ctx, kvstore.NSAuth, userSessKey(uid), out) // EXPECT kvrace|kvsession
}

// Load returns the session with id.
func (s *Service) Load(ctx context.Context, id string) (*Session, error) {
	raw, found, err := s.KV.Get(ctx, kvstore.NSAuth, sessKey(id))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrNoSession
	}
	sess := &Session{ID: id}
	if err := json.Unmarshal(raw, sess); err != nil {
		return nil, err
	}
	return sess, nil
}

// Touch extends an active session so that users who keep coming back stay
// signed in.
func (s *Service) Touch(ctx context.Context, sess *Session, now time.Time) error {
	sess.ExpiresAt = now.Add(sessionLifetime)
	raw, _ := json.Marshal(sess)
	return s.KV.PutTTL(ctx, kvstore.NSAuth, sessKey(sess.ID), raw, sessionLifetime) // EXPECT kvsession
}

// Logout ends one session.
func (s *Service) Logout(ctx context.Context, id string) error {
	return s.KV.Delete(ctx, kvstore.NSAuth, sessKey(id)) // EXPECT kvsession
}

// PasswordChanged signs uid out everywhere.
func (s *Service) PasswordChanged(ctx context.Context, uid uint64) error {
	raw, found, err := s.KV.Get(ctx, kvstore.NSAuth, userSessKey(uid))
	if err != nil || !found {
		return err
	}
	var ids []string
	if err := json.Unmarshal(raw, &ids); err != nil {
		return err
	}
	keys := make([]string, 0, len(ids)+1)
	for _, id := range ids {
		keys = append(keys, sessKey(id))
	}
	keys = append(keys, userSessKey(uid))
	return s.KV.BulkDelete(ctx, kvstore.NSAuth, keys) // EXPECT kvsession
}

// SendMagicLink creates a one-time login link for uid.
func (s *Service) SendMagicLink(ctx context.Context, uid uint64) (string, error) {
	token := randomID(24)
	err := s.KV.PutTTL(ctx, kvstore.NSAuth, magicKey(token), []byte(strconv.FormatUint(uid, 10)), magicLifetime) // DEBATABLE kvsession
	return token, err
}

// RedeemMagicLink signs in the owner of token and consumes the link.
func (s *Service) RedeemMagicLink(ctx context.Context, token string, now time.Time) (*Session, error) {
	raw, found, err := s.KV.Get(ctx, kvstore.NSAuth, magicKey(token))
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, ErrLinkInvalid
	}
	uid, err := strconv.ParseUint(string(raw), 10, 64)
	if err != nil {
		return nil, err
	}
	if err := s.KV.Delete(ctx, kvstore.NSAuth, magicKey(token)); err != nil { // EXPECT kvsession
		return nil, err
	}
	return s.NewSession(ctx, uid, now)
}

// BeginOAuth stores the state parameter of a provider round trip.
func (s *Service) BeginOAuth(ctx context.Context, returnTo string) (string, error) {
	state := randomID(24)
	return state, s.KV.PutTTL(ctx, kvstore.NSAuth, stateKey(state), []byte(returnTo), stateLifetime)
}

// FinishOAuth checks and consumes the state of a provider callback.
func (s *Service) FinishOAuth(ctx context.Context, state, echoed string) (string, error) {
	if subtle.ConstantTimeCompare([]byte(state), []byte(echoed)) != 1 {
		return "", ErrStateInvalid
	}
	api, rc := s.KV.Raw()
	returnTo, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: string(kvstore.NSAuth), Key: stateKey(state)})
	if err != nil {
		if kvstore.IsNotFound(err) {
			return "", ErrStateInvalid
		}
		return "", err
	}
	_, err = api.DeleteWorkersKVEntry(ctx, rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: string(kvstore.NSAuth), Key: stateKey(state)}) // EXPECT kvsession
	return string(returnTo), err
}

// RotateRefresh exchanges a refresh token for a new one.
func (s *Service) RotateRefresh(ctx context.Context, token string, now time.Time) (string, error) {
	raw, found, err := s.KV.Get(ctx, kvstore.NSAuth, refreshKey(token))
	if err != nil {
		return "", err
	}
	if !found {
		return "", ErrNoSession
	}
	if err := s.KV.Delete(ctx, kvstore.NSAuth, refreshKey(token)); err != nil { // EXPECT kvsession
		return "", err
	}
	next := randomID(32)
	api, rc := s.KV.Raw()
	_, err = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: string(kvstore.NSAuth),
		KVs: []*cloudflare.WorkersKVPair{{
			Key:        refreshKey(next),
			Value:      string(raw),
			Expiration: int(now.Add(refreshLifetime).UnixMilli()), // EXPECT kvttl
		}},
	})
	return next, err
}

// IssueCode stores a six-digit sign-in code for uid.
func (s *Service) IssueCode(ctx context.Context, uid uint64, code string) error {
	api, rc := s.KV.Raw()
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: string(kvstore.NSAuth),
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           fmt.Sprintf("otp:%d", uid),
			Value:         code,
			ExpirationTTL: otpWindow, // EXPECT kvttl
		}},
	})
	return err
}

// Revoke blocks an access token until it would have expired anyway.
func (s *Service) Revoke(ctx context.Context, jti string, expires time.Time) error {
	return s.KV.PutWithMeta(ctx, kvstore.NSAuth, "revoked:jti:"+jti, []byte("1"), nil, // EXPECT kvsession
		time.Until(expires)) // EXPECT kvttl
}

// CheckPassword counts failed sign-ins per address and refuses after a few.
func (s *Service) CheckPassword(ctx context.Context, email string, ok bool) error {
	if ok {
		return nil
	}
	n := 0
	raw, found, err := s.KV.Get(ctx, kvstore.NSAuth, attemptsKey(email))
	if err != nil {
		return err
	}
	if found {
		n, _ = strconv.Atoi(string(raw))
	}
	if n >= maxAttempts {
		return ErrTooMany
	}
	return s.KV.PutTTL(ctx, kvstore.NSAuth, attemptsKey(email), []byte(strconv.Itoa(n+1)), 15*time.Minute) // EXPECT kvcounter|kvrace
}
