// Package oauth implements the authorization-code grant with PKCE, upstream
// (social) login state, and stored consent.
package oauth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"time"

	"example.com/identity/internal/repo"
	"example.com/identity/internal/store"
)

// AuthCode is what the token endpoint needs to redeem a code.
type AuthCode struct {
	ClientID     string    `json:"client_id"`
	UserID       string    `json:"sub"`
	RedirectURI  string    `json:"redirect_uri"`
	Scopes       []string  `json:"scope"`
	Challenge    string    `json:"code_challenge"`
	ChallengeAlg string    `json:"code_challenge_method"`
	Nonce        string    `json:"nonce,omitempty"`
	AuthTime     time.Time `json:"auth_time"`
}

var (
	ErrInvalidGrant = errors.New("invalid_grant")
	ErrPKCE         = errors.New("invalid_grant: code_verifier mismatch")
)

// Codes issues and redeems authorization codes.
type Codes struct {
	codes *repo.Repo[AuthCode]
}

// NewCodes keeps codes short-lived, as RFC 6749 §4.1.2 recommends.
func NewCodes(st store.Store) *Codes {
	return &Codes{
		codes: repo.New[AuthCode](st, "authcode:", repo.TTL(30*time.Second)), // EXPECT kvttl
	}
}

func randomToken(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Issue stores ac under a fresh code and returns the code.
func (c *Codes) Issue(ctx context.Context, ac AuthCode) (string, error) {
	code := randomToken(32)
	if err := c.codes.Save(ctx, code, ac); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return code, nil
}

// Redeem checks the code, the redirect URI and the PKCE verifier, and makes
// the code unusable.
func (c *Codes) Redeem(ctx context.Context, code, clientID, redirectURI, verifier string) (*AuthCode, error) {
	ac, err := c.codes.Get(ctx, code)
	if errors.Is(err, store.ErrNotFound) {
		return nil, ErrInvalidGrant
	}
	if err != nil {
		return nil, err
	}
	if ac.ClientID != clientID || ac.RedirectURI != redirectURI {
		return nil, ErrInvalidGrant
	}
	if !verifyPKCE(ac.Challenge, ac.ChallengeAlg, verifier) {
		return nil, ErrPKCE
	}
	if err := c.codes.Delete(ctx, code); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &ac, nil
}

func verifyPKCE(challenge, alg, verifier string) bool {
	if alg != "S256" || len(verifier) < 43 {
		return false
	}
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}
