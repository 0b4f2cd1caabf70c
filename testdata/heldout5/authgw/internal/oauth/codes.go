package oauth

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"time"

	"example.com/authgw/internal/ids"
	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

var (
	ErrBadCode  = errors.New("oauth: invalid authorization code")
	ErrReplayed = errors.New("oauth: authorization code already used")
)

// RFC 6749 §4.1.2 recommends a maximum of ten minutes; first-party apps
// exchange immediately, so we keep the window tight.
const codeLifetime = 30 * time.Second

// Grant is an issued authorization code.
type Grant struct {
	ClientID    string    `json:"client_id"`
	UserID      string    `json:"uid"`
	RedirectURI string    `json:"redirect_uri"`
	Challenge   string    `json:"challenge"`
	Scope       string    `json:"scope"`
	IssuedAt    time.Time `json:"iat"`
	Used        bool      `json:"used"`
	UsedAt      time.Time `json:"used_at,omitzero"`
}

// CodeStore issues and redeems authorization codes.
type CodeStore struct {
	kv  kvport.Store
	now func() time.Time
}

func NewCodeStore(kv kvport.Store) *CodeStore { return &CodeStore{kv: kv, now: time.Now} }

func codeKey(code string) string { return "oauth:code:" + ids.Hash(code) }

// Issue mints a code for an authenticated user.
func (c *CodeStore) Issue(ctx context.Context, g Grant) (string, error) {
	code := ids.Secret(32)
	g.IssuedAt = c.now().UTC()
	g.Used = false
	if err := repo.PutJSON(ctx, c.kv, codeKey(code), g, kvport.WithTTL(codeLifetime)); err != nil { // EXPECT kvttl
		return "", err
	}
	return code, nil
}

// Redeem validates code against the token request. A second redemption
// returns ErrReplayed together with the grant so the caller can revoke
// whatever the first redemption produced.
func (c *CodeStore) Redeem(ctx context.Context, code, clientID, redirectURI, verifier string) (Grant, error) {
	key := codeKey(code)
	g, err := repo.GetJSON[Grant](ctx, c.kv, key)
	if kvport.IsNotFound(err) {
		return Grant{}, ErrBadCode
	}
	if err != nil {
		return Grant{}, err
	}
	if g.Used {
		return g, ErrReplayed
	}
	if g.ClientID != clientID || g.RedirectURI != redirectURI || !pkceMatches(g.Challenge, verifier) {
		return Grant{}, ErrBadCode
	}
	g.Used, g.UsedAt = true, c.now().UTC()
	if err := repo.PutJSON(ctx, c.kv, key, g, kvport.WithTTL(10*time.Minute)); err != nil { // EXPECT kvsession|kvrace
		return Grant{}, err
	}
	return g, nil
}

func pkceMatches(challenge, verifier string) bool {
	sum := sha256.Sum256([]byte(verifier))
	got := base64.RawURLEncoding.EncodeToString(sum[:])
	return subtle.ConstantTimeCompare([]byte(got), []byte(challenge)) == 1
}
