// Package upstream holds the OAuth 2.0 token sources for the services the
// account service calls, such as the transactional mail provider.
package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/forumworks/guillemot/internal/kv"
)

var tracer = otel.Tracer("github.com/forumworks/guillemot/internal/upstream")

// SharedTokenSource shares one client-credentials token between all replicas,
// so that the provider does not see a token request per machine.
type SharedTokenSource struct {
	ns          *kv.Namespace
	key         string
	src         oauth2.TokenSource
	earlyExpiry time.Duration
}

// NewShared returns a reusable token source for cfg, cached in ns under
// "oauth:shared:<name>".
func NewShared(ns *kv.Namespace, name string, cfg *clientcredentials.Config) oauth2.TokenSource {
	s := &SharedTokenSource{
		ns:          ns,
		key:         "oauth:shared:" + name,
		src:         cfg.TokenSource(context.Background()),
		earlyExpiry: 2 * time.Minute,
	}
	return oauth2.ReuseTokenSource(nil, s)
}

// Token returns the cached token while it is valid, and fetches and shares a
// new one otherwise.
func (s *SharedTokenSource) Token() (*oauth2.Token, error) {
	ctx, span := tracer.Start(context.Background(), "upstream.shared_token")
	defer span.End()
	span.SetAttributes(attribute.String("oauth.cache_key", s.key))

	raw, err := s.ns.Get(ctx, s.key)
	switch {
	case err == nil:
		var tok oauth2.Token
		if err := json.Unmarshal(raw, &tok); err == nil && time.Until(tok.Expiry) > s.earlyExpiry {
			span.SetAttributes(attribute.Bool("oauth.shared_hit", true))
			return &tok, nil
		}
	case errors.Is(err, kv.ErrNotFound):
	default:
		span.RecordError(err)
		return nil, err
	}

	tok, err := s.src.Token()
	if err != nil {
		span.RecordError(err)
		return nil, fmt.Errorf("upstream token: %w", err)
	}
	data, err := json.Marshal(tok)
	if err != nil {
		return nil, err
	}
	ttl := time.Until(tok.Expiry) - s.earlyExpiry
	if err := s.ns.Put(ctx, s.key, data, max(ttl, 30*time.Second)); err != nil { // EXPECT kvttl
		span.RecordError(err)
	}
	return tok, nil
}
