// Package auth handles identity tokens from the sign-in provider, OAuth
// client-credential tokens for upstream APIs, and random identifiers.
package auth

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"example.com/avocet/internal/httpx"
)

var ErrBadToken = errors.New("auth: bad token")

// Claims is the payload of a signed identity token.
type Claims struct {
	Subject  string `json:"sub"`
	Email    string `json:"email"`
	IssuedAt int64  `json:"iat"`
	Exp      int64  `json:"exp"`
}

func (c Claims) ExpiresAt() time.Time { return time.Unix(c.Exp, 0) }

// Valid checks the time claims against now.
func (c Claims) Valid(now time.Time) error {
	if c.Exp == 0 || !now.Before(c.ExpiresAt()) {
		return fmt.Errorf("%w: expired", ErrBadToken)
	}
	return nil
}

var b64 = base64.RawURLEncoding

// ParseHS256 verifies a compact HS256 token with key and returns its claims.
func ParseHS256(token string, key []byte) (Claims, error) {
	var c Claims
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return c, ErrBadToken
	}
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(parts[0] + "." + parts[1]))
	sig, err := b64.DecodeString(parts[2])
	if err != nil || !hmac.Equal(sig, mac.Sum(nil)) {
		return c, ErrBadToken
	}
	payload, err := b64.DecodeString(parts[1])
	if err != nil {
		return c, ErrBadToken
	}
	if err := json.Unmarshal(payload, &c); err != nil {
		return c, fmt.Errorf("%w: %v", ErrBadToken, err)
	}
	return c, nil
}

// TokenResponse is an OAuth 2.0 token endpoint response.
type TokenResponse struct {
	AccessToken string `json:"access_token"`
	ExpiresIn   int64  `json:"expires_in"`
}

func (t TokenResponse) Lifetime() time.Duration { return time.Duration(t.ExpiresIn) * time.Second }

// ClientCredentials fetches a token with the client-credentials grant.
func ClientCredentials(ctx context.Context, hc *http.Client, endpoint, id, secret, scope string) (TokenResponse, error) {
	var tr TokenResponse
	form := url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}, "scope": {scope}}
	body, err := httpx.Do(ctx, hc, http.MethodPost, endpoint, strings.NewReader(form.Encode()),
		"Content-Type", "application/x-www-form-urlencoded")
	if err != nil {
		return tr, err
	}
	if err := json.Unmarshal(body, &tr); err != nil {
		return tr, err
	}
	if tr.AccessToken == "" {
		return tr, errors.New("auth: token endpoint returned no access_token")
	}
	return tr, nil
}

// NewID returns 128 random bits as hex.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}
