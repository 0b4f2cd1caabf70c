package session

import (
	"context"
	"errors"
	"net/http"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Revoker keeps the sessions revoked by support staff for lost or stolen
// devices. It embeds the API client and talks to the namespace directly.
type Revoker struct {
	*cloudflare.Client
	AccountID   string
	NamespaceID string
	// Keep the mark at least as long as a session can live.
	TTL time.Duration
}

func revokedKey(sessionID string) string { return "revoked:" + sessionID }

// Revoke marks sessionID as revoked.
func (r *Revoker) Revoke(ctx context.Context, sessionID, reason string) error {
	_, err := r.KV.Namespaces.Values.Update(ctx, r.NamespaceID, revokedKey(sessionID), kv.NamespaceValueUpdateParams{ // EXPECT kvsession
		AccountID:     cloudflare.F(r.AccountID),
		Value:         cloudflare.F(reason),
		ExpirationTTL: cloudflare.F(r.TTL.Seconds()),
	})
	return err
}

// IsRevoked implements RevocationChecker.
func (r *Revoker) IsRevoked(ctx context.Context, sessionID string) (bool, error) {
	resp, err := r.KV.Namespaces.Values.Get(ctx, r.NamespaceID, revokedKey(sessionID), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.AccountID),
	})
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	resp.Body.Close()
	return true, nil
}
