package portal

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"strings"
	"time"

	"wigeon/internal/kvkeys"
	"wigeon/internal/kvstore"
	"wigeon/internal/tenant"
)

// ErrTooManyAttempts is returned when an address asked for too many codes.
var ErrTooManyAttempts = errors.New("portal: too many sign-in attempts")

// maxCodesPerWindow is how many magic links one address may request per
// ten-minute window.
const maxCodesPerWindow = 5

type magicLink struct {
	TenantID   string    `json:"tenant_id"`
	CustomerID string    `json:"customer_id"`
	Email      string    `json:"email"`
	IssuedAt   time.Time `json:"issued_at"`
}

// SendMagicLink mints a sign-in code for the customer and returns it; the
// caller e-mails the link.
func (s *Sessions) SendMagicLink(ctx context.Context, customerID, email string) (string, error) {
	if err := s.throttle(ctx, email); err != nil {
		return "", err
	}
	code := newID()
	raw, err := json.Marshal(magicLink{
		TenantID:   tenant.From(ctx),
		CustomerID: customerID,
		Email:      email,
		IssuedAt:   time.Now().UTC(),
	})
	if err != nil {
		return "", err
	}
	return code, s.KV.PutTTL(ctx, s.keys.MagicLink(code), raw, s.cfg.MagicLinkTTL)
}

// throttle limits magic-link requests per address and ten-minute window.
func (s *Sessions) throttle(ctx context.Context, email string) error {
	window := kvkeys.Bucket(time.Now(), 10*time.Minute)
	key := kvkeys.Raw(s.keys.Env, "attempts", kvkeys.Opaque(strings.ToLower(email)), window)
	n := 0
	if raw, err := s.KV.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !kvstore.IsNotFound(err) {
		return err
	}
	if n >= maxCodesPerWindow {
		return ErrTooManyAttempts
	}
	return s.KV.PutTTL(ctx, key, []byte(strconv.Itoa(n+1)), 20*time.Minute) // EXPECT kvcounter|kvrace
}

// VerifyMagicLink redeems a sign-in code and starts a session.
func (s *Sessions) VerifyMagicLink(ctx context.Context, code, ua string) (Session, error) {
	key := s.keys.MagicLink(code)
	raw, err := s.KV.Get(ctx, key)
	if err != nil {
		if kvstore.IsNotFound(err) {
			return Session{}, ErrBadCode
		}
		return Session{}, err
	}
	var ml magicLink
	if err := json.Unmarshal(raw, &ml); err != nil {
		return Session{}, err
	}
	if err := s.KV.Delete(ctx, key); err != nil { // EXPECT kvsession
		return Session{}, err
	}
	ctx = tenant.With(ctx, ml.TenantID)
	return s.Create(ctx, ml.CustomerID, ua) // DEBATABLE kvsession
}

type oauthState struct {
	TenantID string `json:"tenant_id"`
	Verifier string `json:"verifier"`
	Return   string `json:"return"`
}

// BeginOAuth stores the PKCE verifier for a sign-in through the merchant's
// identity provider and returns the state parameter.
func (s *Sessions) BeginOAuth(ctx context.Context, verifier, returnTo string) (string, error) {
	state := newID()
	if u, err := url.Parse(returnTo); err != nil || u.IsAbs() {
		returnTo = "/"
	}
	raw, err := json.Marshal(oauthState{TenantID: tenant.From(ctx), Verifier: verifier, Return: returnTo})
	if err != nil {
		return "", err
	}
	return state, s.KV.PutTTL(ctx, s.keys.OAuthState(state), raw, s.cfg.OAuthStateTTL)
}

// FinishOAuth consumes the state on the IdP callback.
func (s *Sessions) FinishOAuth(ctx context.Context, state string) (verifier, returnTo string, err error) {
	key := s.keys.OAuthState(state)
	raw, err := s.KV.Get(ctx, key)
	if kvstore.IsNotFound(err) {
		return "", "", ErrBadState
	}
	if err != nil {
		return "", "", err
	}
	var st oauthState
	if err := json.Unmarshal(raw, &st); err != nil {
		return "", "", err
	}
	if st.TenantID != tenant.From(ctx) {
		return "", "", ErrBadState
	}
	if err := s.KV.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", "", err
	}
	return st.Verifier, st.Return, nil
}
