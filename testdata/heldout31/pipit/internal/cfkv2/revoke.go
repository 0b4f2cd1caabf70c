package cfkv2

import (
	"context"
	"errors"
	"net/url"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/kv"
)

// ErrStateUnknown is returned for an OAuth state that was never issued or has expired.
var ErrStateUnknown = errors.New("unknown login state")

// Revocations tracks revoked access tokens and pending OAuth logins.
type Revocations struct{ *Namespace }

// NewRevocations wraps a namespace handle.
func NewRevocations(n *Namespace) *Revocations { return &Revocations{n} }

// Revoke marks a token id as revoked until the token would have expired anyway.
func (r *Revocations) Revoke(ctx context.Context, jti string, tokenExpiry time.Time) error {
	_, err := r.values().Update(ctx, r.id, url.PathEscape("revoked:"+jti), kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		AccountID: cloudflare.F(r.account),
		Metadata:  cloudflare.F(`{"until":` + tokenExpiry.UTC().Format(`"2006-01-02T15:04:05Z"`) + `}`),
		Value:     cloudflare.F("1"),
	})
	return err
}

// SaveState remembers a pending staff login for ten minutes.
func (r *Revocations) SaveState(ctx context.Context, state, returnTo string) error {
	_, err := r.client.KV.Namespaces.Bulk.Update(ctx, r.id, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(r.account),
		Body: []kv.NamespaceBulkUpdateParamsBody{{
			Key:           cloudflare.F("oauth-state:" + state),
			Value:         cloudflare.F(returnTo),
			ExpirationTTL: cloudflare.F(600.0),
		}},
	})
	return err
}

// ConsumeState returns the page a login started from and invalidates the state.
func (r *Revocations) ConsumeState(ctx context.Context, state string) (string, error) {
	key := "oauth-state:" + state
	b, err := r.read(ctx, key)
	if errors.Is(err, ErrMiss) {
		return "", ErrStateUnknown
	}
	if err != nil {
		return "", err
	}
	if _, err := r.values().Delete(ctx, r.id, url.PathEscape(key), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(r.account)}); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(b), nil
}
