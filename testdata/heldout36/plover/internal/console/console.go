//go:build js && wasm

// Package console serves the tenant admin console: sign-in by magic link or
// OAuth, console sessions and CSRF protection for the console's forms.
package console

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/fernhill/plover/internal/kvstore"
	"github.com/syumai/workers/cloudflare"
)

// Sentinel errors checked by the handlers.
var (
	ErrNoSession   = errors.New("console: no session")
	ErrLinkInvalid = errors.New("console: link invalid or used")
	ErrTooMany     = errors.New("console: too many attempts")
)

const (
	sessionTTL   = 12 * time.Hour
	magicLinkTTL = 15 * time.Minute
	oauthTTL     = 10 * time.Minute
	maxAttempts  = 5
)

// Session is a signed-in console user.
type Session struct {
	ID       string    `json:"id"`
	UserID   string    `json:"uid"`
	Tenant   string    `json:"tenant"`
	Email    string    `json:"email"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Console holds the KV stores the console uses.
type Console struct {
	auth *kvstore.Store // sessions, links, oauth state
	sec  *kvstore.Store // attempts and revocations
	mail func(ctx context.Context, to, link string) error
}

// New returns a console on the given stores.
func New(auth, sec *kvstore.Store, mail func(ctx context.Context, to, link string) error) *Console {
	return &Console{auth: auth, sec: sec, mail: mail}
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func emailKey(email string) string {
	sum := sha256.Sum256([]byte(email))
	return hex.EncodeToString(sum[:])
}

// SendLink mails a magic sign-in link.
func (c *Console) SendLink(ctx context.Context, email, tenant string) error {
	if err := c.chargeAttempt(ctx, email); err != nil {
		return err
	}
	code := randomID(24)
	payload, _ := json.Marshal(map[string]string{"email": email, "tenant": tenant})
	if err := c.auth.Put(ctx, "magic:"+code, string(payload), magicLinkTTL); err != nil {
		return fmt.Errorf("send link: %w", err)
	}
	return c.mail(ctx, email, "https://console.plover.dev/login?code="+code)
}

func (c *Console) chargeAttempt(ctx context.Context, email string) error {
	key := "attempts:" + emailKey(email)
	raw, ok, err := c.sec.Get(ctx, key)
	if err != nil {
		return err
	}
	n := 0
	if ok {
		n, _ = strconv.Atoi(raw)
	}
	if n >= maxAttempts {
		return ErrTooMany
	}
	return c.sec.Put(ctx, key, strconv.Itoa(n+1), time.Hour) // EXPECT kvcounter
}

// Redeem exchanges a magic link code for a new session.
func (c *Console) Redeem(ctx context.Context, code string) (*Session, error) {
	raw, ok, err := c.auth.Get(ctx, "magic:"+code)
	if err != nil {
		return nil, fmt.Errorf("redeem: %w", err)
	}
	if !ok {
		return nil, ErrLinkInvalid
	}
	var link struct{ Email, Tenant string }
	if err := json.Unmarshal([]byte(raw), &link); err != nil {
		return nil, fmt.Errorf("redeem: %w", err)
	}
	if err := c.auth.Delete(ctx, "magic:"+code); err != nil { // EXPECT kvsession
		return nil, fmt.Errorf("redeem: %w", err)
	}
	return c.startSession(ctx, link.Email, link.Tenant)
}

func (c *Console) startSession(ctx context.Context, email, tenant string) (*Session, error) {
	now := time.Now().UTC()
	s := &Session{ID: randomID(32), UserID: emailKey(email)[:16], Tenant: tenant, Email: email, Created: now, LastSeen: now}
	if err := c.auth.PutJSON(ctx, "sess:"+s.ID, s, sessionTTL); err != nil { // DEBATABLE kvsession
		return nil, fmt.Errorf("start session: %w", err)
	}
	csrf := randomID(24)
	if err := c.auth.Namespace().PutString(c.auth.Prefix()+"csrf:"+s.ID, csrf, &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: int(sessionTTL.Seconds()),
	}); err != nil {
		return nil, fmt.Errorf("start session: %w", err)
	}
	return s, nil
}

// Authenticate resolves the session cookie of a request and keeps the
// session alive while the user is active.
func (c *Console) Authenticate(ctx context.Context, r *http.Request) (*Session, error) {
	ck, err := r.Cookie("plover_sess")
	if err != nil {
		return nil, ErrNoSession
	}
	var s Session
	ok, err := c.auth.GetJSON(ctx, "sess:"+ck.Value, &s)
	if err != nil {
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	if !ok {
		return nil, ErrNoSession
	}
	if revoked, _, _ := c.sec.Get(ctx, "revoked:"+s.UserID); revoked != "" {
		if t, err := time.Parse(time.RFC3339, revoked); err == nil && s.Created.Before(t) {
			return nil, ErrNoSession
		}
	}
	s.LastSeen = time.Now().UTC()
	if err := c.auth.PutJSON(ctx, "sess:"+s.ID, &s, sessionTTL); err != nil { // EXPECT kvsession
		return nil, fmt.Errorf("authenticate: %w", err)
	}
	return &s, nil
}

// CheckCSRF compares the form token with the session's token.
func (c *Console) CheckCSRF(ctx context.Context, s *Session, token string) error {
	want, err := c.auth.Namespace().GetString(c.auth.Prefix()+"csrf:"+s.ID, nil)
	if err != nil {
		return fmt.Errorf("csrf: %w", err)
	}
	if want == "" { // EXPECT kvnull
		return ErrNoSession
	}
	if want != token {
		return errors.New("console: csrf mismatch")
	}
	return nil
}

// sessionOps are the session maintenance actions exposed to the console's
// account page, keyed by form action.
var sessionOps = map[string]func(*kvstore.Store, context.Context, string) error{
	"signout":   (*kvstore.Store).Delete,
	"tombstone": (*kvstore.Store).Tombstone,
}

// SignOut ends the session named by the request cookie.
func (c *Console) SignOut(ctx context.Context, s *Session, action string) error {
	op, ok := sessionOps[action]
	if !ok {
		return fmt.Errorf("unknown action %q", action)
	}
	return op(c.auth, ctx, "sess:"+s.ID) // EXPECT kvsession
}

// RevokeAll signs a user out everywhere by recording a revocation time that
// Authenticate compares against each session's creation time.
func (c *Console) RevokeAll(ctx context.Context, userID string) error {
	return c.sec.Put(ctx, "revoked:"+userID, time.Now().UTC().Format(time.RFC3339), sessionTTL) // EXPECT kvsession
}

// StartOAuth records an OAuth state value and returns it.
func (c *Console) StartOAuth(ctx context.Context, tenant, returnTo string) (string, error) {
	state := randomID(24)
	body, _ := json.Marshal(map[string]string{"tenant": tenant, "return_to": returnTo})
	if err := c.auth.Namespace().PutString(c.auth.Prefix()+"oauth:"+state, string(body), &cloudflare.KVNamespacePutOptions{ // DEBATABLE kvsession
		Expiration: int(time.Now().Add(oauthTTL).Unix()),
	}); err != nil {
		return "", fmt.Errorf("oauth start: %w", err)
	}
	return state, nil
}

// FinishOAuth validates the state value of the callback and signs the user in.
func (c *Console) FinishOAuth(ctx context.Context, state, email string) (*Session, string, error) {
	raw, ok, err := c.auth.Get(ctx, "oauth:"+state)
	if err != nil {
		return nil, "", err
	}
	if !ok {
		return nil, "", ErrLinkInvalid
	}
	var st map[string]string
	if err := json.Unmarshal([]byte(raw), &st); err != nil {
		return nil, "", err
	}
	consume := (*kvstore.Store).Delete
	if err := consume(c.auth, ctx, "oauth:"+state); err != nil { // EXPECT kvsession
		return nil, "", err
	}
	s, err := c.startSession(ctx, email, st["tenant"])
	return s, st["return_to"], err
}
