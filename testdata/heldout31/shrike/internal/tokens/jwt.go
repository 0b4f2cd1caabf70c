// Package tokens verifies the compact signed tokens the rider app carries and
// talks to OAuth token endpoints.
package tokens

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

type Claims struct {
	Subject string   `json:"sub"`
	ID      string   `json:"jti"`
	Expiry  int64    `json:"exp"`
	Pass    string   `json:"pass,omitempty"`
	Scopes  []string `json:"scp,omitempty"`
}

func (c Claims) Expires() time.Time { return time.Unix(c.Expiry, 0) }

var (
	ErrMalformed = errors.New("tokens: malformed token")
	ErrSignature = errors.New("tokens: bad signature")
	ErrExpired   = errors.New("tokens: expired")
)

var b64 = base64.RawURLEncoding

// Signer verifies HS256 tokens issued by the identity service.
type Signer struct {
	key []byte
	now func() time.Time
}

// leeway tolerates clock skew between the identity service and the edge.
const leeway = 30 * time.Second

func NewSigner(secret []byte, now func() time.Time) *Signer {
	if now == nil {
		now = time.Now
	}
	return &Signer{key: secret, now: now}
}

func (s *Signer) Verify(tok string) (Claims, error) {
	var c Claims
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return c, ErrMalformed
	}
	sig, err := b64.DecodeString(parts[2])
	if err != nil {
		return c, ErrMalformed
	}
	if !hmac.Equal(sig, s.mac(parts[0]+"."+parts[1])) {
		return c, ErrSignature
	}
	body, err := b64.DecodeString(parts[1])
	if err != nil {
		return c, ErrMalformed
	}
	if err := json.Unmarshal(body, &c); err != nil {
		return c, fmt.Errorf("%w: %v", ErrMalformed, err)
	}
	if s.now().After(c.Expires().Add(leeway)) {
		return c, ErrExpired
	}
	return c, nil
}

func (s *Signer) mac(msg string) []byte {
	h := hmac.New(sha256.New, s.key)
	h.Write([]byte(msg))
	return h.Sum(nil)
}
