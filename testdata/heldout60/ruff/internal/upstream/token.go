// Package upstream builds HTTP clients for the third-party APIs the gateway
// calls. Client-credentials tokens are shared between replicas through KV so
// a fleet restart does not mint one token per replica.
package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/ruffgate/ruff/internal/kv"
)

var tracer = otel.Tracer("github.com/ruffgate/ruff/internal/upstream")

// earlyRefresh is how long before the upstream expiry a token counts as stale.
const earlyRefresh = 30 * time.Second

// Provider describes one OAuth2 client-credentials upstream.
type Provider struct {
	Name, TokenURL, ClientID, ClientSecret string
	Scopes                                 []string
	// FallbackTTL is used when the token endpoint omits expires_in.
	FallbackTTL time.Duration
}

// sharedSource is an oauth2.TokenSource that looks in KV before asking the
// token endpoint, and publishes what it gets.
type sharedSource struct {
	ns   *kv.Namespace
	key  string
	base oauth2.TokenSource
	p    Provider
}

// Token implements oauth2.TokenSource.
func (s *sharedSource) Token() (*oauth2.Token, error) {
	ctx, span := tracer.Start(context.Background(), "upstream.token")
	defer span.End()
	span.SetAttributes(attribute.String("upstream", s.p.Name))

	if raw, err := s.ns.Get(ctx, s.key); err == nil {
		var tok oauth2.Token
		if json.Unmarshal(raw, &tok) == nil && time.Until(tok.Expiry) > earlyRefresh {
			return &tok, nil
		}
	} else if !errors.Is(err, kv.ErrNotFound) {
		span.RecordError(err)
	}

	tok, err := s.base.Token()
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(tok)
	if tok.Expiry.IsZero() {
		err = s.ns.Put(ctx, s.key, raw, s.p.FallbackTTL)
	} else {
		err = s.ns.Put(ctx, s.key, raw, time.Until(tok.Expiry)-earlyRefresh) // EXPECT kvttl
	}
	if err != nil {
		span.RecordError(err) // the token is still good for this replica
	}
	return tok, nil
}

// Client returns an HTTP client for p whose tokens are shared through ns.
func Client(ctx context.Context, ns *kv.Namespace, p Provider) *http.Client {
	cc := &clientcredentials.Config{ClientID: p.ClientID, ClientSecret: p.ClientSecret, TokenURL: p.TokenURL, Scopes: p.Scopes}
	src := &sharedSource{ns: ns, key: "upstream:token:" + p.Name, base: cc.TokenSource(ctx), p: p}
	return oauth2.NewClient(ctx, oauth2.ReuseTokenSource(nil, src))
}
