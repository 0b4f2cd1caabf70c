package embed

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"example.com/bellwether/internal/kvstore"
	"example.com/bellwether/internal/ttlpolicy"
)

// Token authorises an embed on a site to show and collect votes for a poll.
type Token struct {
	ID        string    `json:"jti"`
	Site      string    `json:"site"`
	PollID    string    `json:"poll"`
	IssuedAt  time.Time `json:"iat"`
	ExpiresAt time.Time `json:"exp"`
}

// Token errors.
var (
	ErrBadToken     = errors.New("embed: malformed or forged token")
	ErrTokenRevoked = errors.New("embed: token revoked")
	ErrTokenExpired = errors.New("embed: token expired")
)

// Tokens issues and checks embed tokens.
type Tokens struct {
	store  kvstore.Store
	w      kvstore.Writer
	secret []byte
	now    func() time.Time
}

// NewTokens returns a Tokens signing with secret.
func NewTokens(s kvstore.Store, secret []byte) *Tokens {
	return &Tokens{store: s, w: kvstore.NewWriter(s), secret: secret, now: time.Now}
}

func tokenKey(id string) string   { return "embedtok:" + id }
func revokedKey(id string) string { return "revoked:" + id }

func randomID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (t *Tokens) sign(payload string) string {
	m := hmac.New(sha256.New, t.secret)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// Issue mints a token for site and poll and records it.
func (t *Tokens) Issue(ctx context.Context, site, pollID string) (Token, string, error) {
	now := t.now().UTC()
	tok := Token{ID: randomID(12), Site: site, PollID: pollID, IssuedAt: now, ExpiresAt: now.Add(ttlpolicy.EmbedTokenTTL)}
	body, err := json.Marshal(tok)
	if err != nil {
		return Token{}, "", err
	}
	payload := base64.RawURLEncoding.EncodeToString(body)
	if err := t.w.Entry(tokenKey(tok.ID)).Value(body).ExpireAt(tok.ExpiresAt).Meta("site", site).Put(ctx); err != nil {
		return Token{}, "", err
	}
	return tok, payload + "." + t.sign(payload), nil
}

// Verify checks a presented token's signature, expiry and revocation.
func (t *Tokens) Verify(ctx context.Context, raw string) (Token, error) {
	payload, sig, ok := strings.Cut(raw, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(t.sign(payload))) {
		return Token{}, ErrBadToken
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return Token{}, ErrBadToken
	}
	var tok Token
	if err := json.Unmarshal(body, &tok); err != nil {
		return Token{}, ErrBadToken
	}
	if t.now().After(tok.ExpiresAt) {
		return Token{}, ErrTokenExpired
	}
	_, err = t.store.Get(ctx, revokedKey(tok.ID))
	switch {
	case err == nil:
		return Token{}, ErrTokenRevoked
	case !errors.Is(err, kvstore.ErrNotFound):
		return Token{}, err
	}
	return tok, nil
}

// Revoke blocks a token before it expires, e.g. when a partner site is
// caught scraping results.
func (t *Tokens) Revoke(ctx context.Context, id string) error {
	return t.w.Entry(revokedKey(id)).String("1").TTL(ttlpolicy.RevocationTTL).Put(ctx) // EXPECT kvsession
}

// Challenge is a proof-of-work nonce handed to an embed before it may vote.
type Challenge struct {
	Nonce      string `json:"nonce"`
	Difficulty int    `json:"difficulty"`
}

// NewChallenge issues a fresh nonce for site.
func (t *Tokens) NewChallenge(ctx context.Context, site string, difficulty int) (Challenge, error) {
	c := Challenge{Nonce: randomID(16), Difficulty: difficulty}
	err := t.w.Entry("challenge:" + c.Nonce).String(site).TTL(ttlpolicy.ChallengeTTL).Put(ctx)
	return c, err
}
