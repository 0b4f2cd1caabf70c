package ingest

import (
	"context"
	"errors"
	"net/url"
	"time"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/kvjson"
)

// ErrBadState is returned for an unknown OAuth state.
var ErrBadState = errors.New("ingest: unknown oauth state")

type oauthState struct {
	PublisherID string `json:"publisher_id"`
	Verifier    string `json:"verifier"`
	Return      string `json:"return"`
	// ExpiresMs is read by the onboarding page to show a countdown.
	ExpiresMs int64 `json:"expires_ms"`
}

// Connect runs the OAuth flow that links a publisher's CMS.
type Connect struct {
	store     kv.Store
	authorize string
	clientID  string
	stateTTL  time.Duration
}

// NewConnect returns the OAuth helper.
func NewConnect(store kv.Store, authorizeURL, clientID string) *Connect {
	return &Connect{store: store, authorize: authorizeURL, clientID: clientID, stateTTL: 10 * time.Minute}
}

// Begin stores a fresh state and returns the provider URL to redirect to.
func (c *Connect) Begin(ctx context.Context, publisherID, returnTo string) (string, error) {
	state, verifier := randomToken(), randomToken()
	deadline := time.Now().Add(c.stateTTL)
	rec := oauthState{PublisherID: publisherID, Verifier: verifier, Return: returnTo, ExpiresMs: deadline.UnixMilli()}
	err := kvjson.PutJSON(ctx, c.store, "oauth:state:"+state, rec, kv.PutOptions{
		ExpiresAt: deadline.Unix() * 1000, // EXPECT kvttl
	})
	if err != nil {
		return "", err
	}
	q := url.Values{"client_id": {c.clientID}, "state": {state}, "response_type": {"code"}}
	return c.authorize + "?" + q.Encode(), nil
}

// Callback consumes the state and returns the publisher and PKCE verifier.
func (c *Connect) Callback(ctx context.Context, state string) (publisherID, verifier, returnTo string, err error) {
	key := "oauth:state:" + state
	rec, found, err := kvjson.GetJSON[oauthState](ctx, c.store, key)
	if err != nil {
		return "", "", "", err
	}
	if !found {
		return "", "", "", ErrBadState
	}
	if err := c.store.Delete(ctx, key); err != nil { // EXPECT kvsession
		return "", "", "", err
	}
	return rec.PublisherID, rec.Verifier, rec.Return, nil
}
