package auth

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"strconv"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/storefront/internal/kvstore/cfkv"
)

// ErrTokenInvalid covers unknown, expired and revoked refresh tokens.
var ErrTokenInvalid = errors.New("auth: refresh token invalid")

type refreshRecord struct {
	CustomerID string    `json:"cid"`
	Family     string    `json:"fam"`
	IssuedAt   time.Time `json:"iat"`
	Rotated    bool      `json:"rot,omitempty"`
}

// Tokens stores refresh tokens, keyed by the SHA-256 of the token so a
// namespace dump does not leak usable credentials.
type Tokens struct {
	cf      *cloudflare.Client
	account string
	ns      string
	ttl     time.Duration
}

// NewTokens returns a token store.
func NewTokens(cf *cloudflare.Client, account, ns string, ttl time.Duration) *Tokens {
	return &Tokens{cf: cf, account: account, ns: ns, ttl: ttl}
}

func tokenKey(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return "refresh:" + hex.EncodeToString(sum[:])
}

func (t *Tokens) write(ctx context.Context, key string, rec refreshRecord) error {
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = t.cf.KV.Namespaces.Values.Update(ctx, t.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(t.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
		ExpirationTTL: cloudflare.F(float64(int(t.ttl.Seconds()))),
	})
	return err
}

// Mint issues a new refresh token for customerID.
func (t *Tokens) Mint(ctx context.Context, customerID, family string) (string, error) {
	buf := make([]byte, 32)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(buf)
	if family == "" {
		family = tok[:12]
	}
	return tok, t.write(ctx, tokenKey(tok), refreshRecord{CustomerID: customerID, Family: family, IssuedAt: time.Now().UTC()})
}

func (t *Tokens) load(ctx context.Context, key string) (refreshRecord, error) {
	var rec refreshRecord
	res, err := t.cf.KV.Namespaces.Values.Get(ctx, t.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(t.account)})
	if cfkv.IsNotFound(err) {
		return rec, ErrTokenInvalid
	} else if err != nil {
		return rec, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return rec, err
	}
	return rec, json.Unmarshal(b, &rec)
}

// Rotate exchanges tok for a new token in the same family.
func (t *Tokens) Rotate(ctx context.Context, tok string) (newTok, customerID string, err error) {
	key := tokenKey(tok)
	rec, err := t.load(ctx, key)
	if err != nil {
		return "", "", err
	}
	if rec.Rotated {
		return "", "", ErrTokenInvalid
	}
	rec.Rotated = true
	if err := t.write(ctx, key, rec); err != nil { // EXPECT kvsession
		return "", "", err
	}
	newTok, err = t.Mint(ctx, rec.CustomerID, rec.Family)
	return newTok, rec.CustomerID, err
}

// Revoke is called on logout.
func (t *Tokens) Revoke(ctx context.Context, tok string) error {
	_, err := t.cf.KV.Namespaces.Values.Delete(ctx, t.ns, tokenKey(tok), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(t.account)}) // EXPECT kvsession
	if cfkv.IsNotFound(err) {
		return nil
	}
	return err
}

// RevokeAllBefore invalidates every token issued to customerID before now,
// e.g. after a password reset. Access token middleware checks this marker.
func (t *Tokens) RevokeAllBefore(ctx context.Context, customerID string) error {
	now := strconv.FormatInt(time.Now().Unix(), 10)
	_, err := t.cf.KV.Namespaces.Values.Update(ctx, t.ns, "revoked_before:"+customerID, kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		AccountID: cloudflare.F(t.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(now)),
	})
	return err
}

// Owner returns the customer a live token belongs to.
func (t *Tokens) Owner(ctx context.Context, tok string) (string, error) {
	rec, err := t.load(ctx, tokenKey(tok))
	if err != nil {
		return "", err
	}
	if rec.Rotated {
		return "", ErrTokenInvalid
	}
	return rec.CustomerID, nil
}
