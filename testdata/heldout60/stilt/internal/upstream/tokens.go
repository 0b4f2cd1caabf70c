// Package upstream builds OAuth2 token sources for the vendors the control
// plane calls (the transcoding vendor and the CDN). Tokens are shared by all
// API replicas through KV so that a deploy does not trigger a burst of token
// requests.
package upstream

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/framewell/stilt/internal/kvstore"
)

var tracer = otel.Tracer("stilt/upstream")

// EncoderTokenSource returns a token source for the transcoding vendor's
// client-credentials flow. Tokens are cached in KV under key and in memory by
// oauth2.ReuseTokenSource.
func EncoderTokenSource(ns *kvstore.Namespace, key string, conf *clientcredentials.Config, skew time.Duration) oauth2.TokenSource {
	return oauth2.ReuseTokenSource(nil, &encoderSource{ns: ns, key: key, conf: conf, skew: skew})
}

type encoderSource struct {
	ns   *kvstore.Namespace
	key  string
	conf *clientcredentials.Config
	skew time.Duration
}

func (s *encoderSource) Token() (*oauth2.Token, error) {
	ctx, span := tracer.Start(context.Background(), "upstream.encoder.Token")
	defer span.End()

	raw, err := s.ns.Get(ctx, s.key)
	switch {
	case err == nil:
		var tok oauth2.Token
		if json.Unmarshal(raw, &tok) == nil && time.Until(tok.Expiry) > s.skew {
			span.SetAttributes(attribute.Bool("token.shared", true))
			return &tok, nil
		}
	case !errors.Is(err, kvstore.ErrNotFound):
		span.RecordError(err)
	}

	tok, err := s.conf.Token(ctx)
	if err != nil {
		span.SetStatus(codes.Error, "token endpoint")
		return nil, fmt.Errorf("encoder token: %w", err)
	}
	body, err := json.Marshal(tok)
	if err != nil {
		return nil, err
	}
	lifetime := time.Until(tok.Expiry) - s.skew // EXPECT kvttl
	if err := s.ns.Put(ctx, s.key, body, lifetime); err != nil {
		span.RecordError(err)
	}
	return tok, nil
}

// CDN keys. The CDN's OAuth server rotates refresh tokens on every use.
const (
	cdnAccessKey  = "oauth:cdn:access"
	cdnRefreshKey = "oauth:cdn:refresh"
)

// CDNTokenSource returns a token source for the CDN purge API. bootstrap is
// the refresh token from the environment; it is only used until the first
// rotation has been stored.
func CDNTokenSource(ns *kvstore.Namespace, conf *oauth2.Config, bootstrap string) oauth2.TokenSource {
	return oauth2.ReuseTokenSourceWithExpiry(nil, &cdnSource{ns: ns, conf: conf, bootstrap: bootstrap}, 30*time.Second)
}

type cdnSource struct {
	ns        *kvstore.Namespace
	conf      *oauth2.Config
	bootstrap string
}

func (s *cdnSource) Token() (*oauth2.Token, error) {
	ctx, span := tracer.Start(context.Background(), "upstream.cdn.Token")
	defer span.End()

	if raw, err := s.ns.Get(ctx, cdnAccessKey); err == nil {
		var tok oauth2.Token
		if json.Unmarshal(raw, &tok) == nil && tok.Valid() {
			return &tok, nil
		}
	}

	refresh := s.bootstrap
	stored, err := s.ns.Get(ctx, cdnRefreshKey) // EXPECT kvnull
	if err == nil {
		refresh = string(stored)
	}
	tok, err := s.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: refresh}).Token()
	if err != nil {
		span.RecordError(err)
		return nil, fmt.Errorf("cdn token: %w", err)
	}
	if tok.RefreshToken != "" && tok.RefreshToken != refresh {
		if err := s.ns.Put(ctx, cdnRefreshKey, []byte(tok.RefreshToken), 0); err != nil { // EXPECT kvsession|kvrace
			span.RecordError(err)
		}
	}

	body, err := json.Marshal(tok)
	if err != nil {
		return nil, err
	}
	ttl := max(time.Until(tok.Expiry)-time.Minute, time.Minute)
	if err := s.ns.Put(ctx, cdnAccessKey, body, ttl); err != nil {
		span.RecordError(err)
	}
	return tok, nil
}
