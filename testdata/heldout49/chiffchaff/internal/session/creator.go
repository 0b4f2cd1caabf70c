package session

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/chiffchaff/podhost/internal/kvstore"
)

var (
	ErrTooManyAttempts = errors.New("session: too many attempts")
	ErrBadCode         = errors.New("session: invalid or expired code")
	ErrBadState        = errors.New("session: invalid oauth state")
)

const (
	// otpTTL is how long an emailed sign-in code is valid.
	otpTTL = 30 * time.Second
	// otpWindow is the window over which failed codes are counted.
	otpWindow = 10 * time.Minute
	// maxLoginAttempts per address and window.
	maxLoginAttempts = 8
	magicLinkTTL     = 15 * time.Minute
	oauthStateTTL    = 10 * time.Minute
)

// Auth handles creator sign-in.
type Auth struct {
	ns       *kvstore.Namespace
	sessions *Manager
	now      func() time.Time
	send     func(ctx context.Context, to, subject, body string) error
}

// NewAuth returns creator sign-in backed by ns.
func NewAuth(ns *kvstore.Namespace, sessions *Manager, now func() time.Time, send func(ctx context.Context, to, subject, body string) error) *Auth {
	return &Auth{ns: ns, sessions: sessions, now: now, send: send}
}

func readCount(ctx context.Context, ns *kvstore.Namespace, key string) (int, error) {
	raw, err := ns.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// NoteFailedLogin counts a failed password for email and reports whether the
// address is now locked.
func (a *Auth) NoteFailedLogin(ctx context.Context, email string) (bool, error) {
	key := "login:attempts:" + email
	n, err := readCount(ctx, a.ns, key)
	if err != nil {
		return false, err
	}
	n++
	if err := a.ns.PutTTL(ctx, key, []byte(strconv.Itoa(n)), otpWindow); err != nil { // EXPECT kvcounter|kvrace
		return false, err
	}
	return n >= maxLoginAttempts, nil
}

// SendCode emails a six-digit sign-in code to a creator.
func (a *Auth) SendCode(ctx context.Context, userID, email string) error {
	v, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		return err
	}
	code := fmt.Sprintf("%06d", v.Int64())
	if err := a.ns.PutTTL(ctx, "otp:"+userID, []byte(code), otpTTL); err != nil { // EXPECT kvttl
		return err
	}
	return a.send(ctx, email, "Your sign-in code", "Your code is "+code)
}

// VerifyCode checks a code and starts a creator session.
func (a *Auth) VerifyCode(ctx context.Context, userID, code string) (*Session, error) {
	want, err := a.ns.Get(ctx, "otp:"+userID)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrBadCode
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare(want, []byte(code)) != 1 {
		if err := a.noteBadCode(ctx, userID); err != nil {
			return nil, err
		}
		return nil, ErrBadCode
	}
	if err := a.ns.Delete(ctx, "otp:"+userID); err != nil { // EXPECT kvsession
		return nil, err
	}
	return a.startCreator(ctx, userID)
}

func (a *Auth) noteBadCode(ctx context.Context, userID string) error {
	api, rc, nsID := a.ns.API()
	key := "otp:attempts:" + userID
	var c struct {
		N     int       `json:"n"`
		First time.Time `json:"first"`
	}
	raw, err := a.ns.Get(ctx, key)
	if err == nil {
		_ = json.Unmarshal(raw, &c)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	if c.N == 0 {
		c.First = a.now()
	}
	c.N++
	if c.N > 5 {
		return ErrTooManyAttempts
	}
	body, _ := json.Marshal(c)
	pair := &cloudflare.WorkersKVPair{
		Key:           key,
		Value:         string(body),
		ExpirationTTL: int(otpWindow), // EXPECT kvttl
	}
	_, err = api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: nsID, KVs: []*cloudflare.WorkersKVPair{pair}}) // EXPECT kvcounter|kvrace
	return err
}

// SendMagicLink emails a one-time sign-in link.
func (a *Auth) SendMagicLink(ctx context.Context, userID, email, baseURL string) error {
	token := randomID(32)
	if err := a.ns.PutTTL(ctx, "magic:"+token, []byte(userID), magicLinkTTL); err != nil { // DEBATABLE kvsession
		return err
	}
	return a.send(ctx, email, "Sign in to Chiffchaff", baseURL+"/auth/magic?token="+token)
}

// RedeemMagicLink exchanges a magic-link token for a creator session.
func (a *Auth) RedeemMagicLink(ctx context.Context, token string) (*Session, error) {
	uid, err := a.ns.Get(ctx, "magic:"+token)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrBadCode
	}
	if err != nil {
		return nil, err
	}
	if err := a.ns.Delete(ctx, "magic:"+token); err != nil { // EXPECT kvsession
		return nil, err
	}
	return a.startCreator(ctx, string(uid))
}

// sessionIndex lists the open dashboard sessions of a creator.
type sessionIndex struct {
	IDs []string `json:"ids"`
}

func (a *Auth) startCreator(ctx context.Context, userID string) (*Session, error) {
	s, err := a.sessions.Create(ctx, userID, Creator)
	if err != nil {
		return nil, err
	}
	key := "sess:idx:" + userID
	var idx sessionIndex
	raw, err := a.ns.Get(ctx, key)
	if err == nil {
		if err := json.Unmarshal(raw, &idx); err != nil {
			return nil, err
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	idx.IDs = append(idx.IDs, s.ID)
	body, _ := json.Marshal(idx)
	if err := a.ns.PutTTL(ctx, key, body, a.sessions.Lifetime); err != nil { // EXPECT kvrace|kvsession
		return nil, err
	}
	return s, nil
}

// ChangePassword signs the creator out everywhere after a password change.
func (a *Auth) ChangePassword(ctx context.Context, userID string) error {
	key := "sess:idx:" + userID
	var idx sessionIndex
	raw, err := a.ns.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &idx); err != nil {
		return err
	}
	for _, id := range idx.IDs {
		if err := a.ns.Delete(ctx, sessKey(Creator, id)); err != nil { // EXPECT kvsession
			return err
		}
	}
	return a.ns.Delete(ctx, key) // DEBATABLE kvsession
}

// BeginOAuth starts an import authorization with another hosting platform
// and returns the state parameter.
func (a *Auth) BeginOAuth(ctx context.Context, userID, provider string) (string, error) {
	state := randomID(24)
	body, _ := json.Marshal(map[string]string{"user": userID, "provider": provider})
	if err := a.ns.PutTTL(ctx, "oauth:state:"+state, body, oauthStateTTL); err != nil {
		return "", err
	}
	return state, nil
}

// FinishOAuth validates the state returned by the provider.
func (a *Auth) FinishOAuth(ctx context.Context, state, userID string) (string, error) {
	raw, err := a.ns.Get(ctx, "oauth:state:"+state)
	if errors.Is(err, kvstore.ErrNotFound) {
		return "", ErrBadState
	}
	if err != nil {
		return "", err
	}
	var v map[string]string
	if err := json.Unmarshal(raw, &v); err != nil || v["user"] != userID {
		return "", ErrBadState
	}
	if err := a.ns.Delete(ctx, "oauth:state:"+state); err != nil { // EXPECT kvsession
		return "", err
	}
	return v["provider"], nil
}

// CSRFToken issues a token for a dashboard form.
func (a *Auth) CSRFToken(ctx context.Context, sessionID string) (string, error) {
	tok := randomID(24)
	if err := a.ns.PutTTL(ctx, "csrf:"+sessionID+":"+tok, []byte("1"), 2*time.Hour); err != nil {
		return "", err
	}
	return tok, nil
}
