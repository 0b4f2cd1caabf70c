package ghapp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/kereru-ci/piwakawaka/internal/kvstore"
)

// Minter exchanges the app's JWT for an installation access token.
type Minter interface {
	Mint(ctx context.Context, installationID int64, repos []string) (token string, expiresAt time.Time, err error)
}

// TokenCache keeps installation tokens in KV until shortly before GitHub's
// expires_at, so every backend instance and the edge share them.
type TokenCache struct {
	KV   *kvstore.Store
	Mint Minter
}

type cachedToken struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expires_at"`
}

// refreshMargin is how long before expires_at a cached token stops being
// handed out.
const refreshMargin = 5 * time.Minute

func installationKey(id int64) string { return fmt.Sprintf("gh/installations/%d/token", id) }

// Installation returns a token for the whole installation.
func (c *TokenCache) Installation(ctx context.Context, installationID int64) (string, error) {
	key := installationKey(installationID)
	var t cachedToken
	err := c.KV.GetJSON(ctx, key, &t)
	switch {
	case err == nil && time.Until(t.ExpiresAt) > refreshMargin:
		return t.Token, nil
	case err != nil && !errors.Is(err, kvstore.ErrNotFound):
		return "", err
	}
	tok, exp, err := c.Mint.Mint(ctx, installationID, nil)
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(cachedToken{Token: tok, ExpiresAt: exp})
	if err := c.KV.PutTTL(ctx, key, b, time.Until(exp)-refreshMargin); err != nil { // EXPECT kvttl
		return "", err
	}
	return tok, nil
}

// Repository returns a token scoped to one repository of an installation.
func (c *TokenCache) Repository(ctx context.Context, installationID int64, repo string) (string, error) {
	key := fmt.Sprintf("gh/installations/%d/repos/%s/token", installationID, repo)
	var t cachedToken
	if err := c.KV.GetJSON(ctx, key, &t); err == nil && time.Until(t.ExpiresAt) > refreshMargin {
		return t.Token, nil
	} else if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return "", err
	}
	tok, exp, err := c.Mint.Mint(ctx, installationID, []string{repo})
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(cachedToken{Token: tok, ExpiresAt: exp})
	ttl := max(time.Until(exp)-refreshMargin, time.Minute)
	if err := c.KV.PutTTL(ctx, key, b, ttl); err != nil {
		return "", err
	}
	return tok, nil
}

// Forget drops the cached installation token.
func (c *TokenCache) Forget(ctx context.Context, installationID int64) error {
	return c.KV.Delete(ctx, installationKey(installationID)) // DEBATABLE kvsession
}
