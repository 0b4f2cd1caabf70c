//go:build js && wasm

// Package feeds serves private RSS feeds to paying subscribers. Each
// subscriber gets an unguessable feed token that is part of the feed URL.
package feeds

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"scaup/internal/config"
	"scaup/internal/kvbase"
	"scaup/internal/kverr"
	"scaup/internal/tenant"
)

// FeedToken grants one subscriber access to one show's private feed.
type FeedToken struct {
	Token        string    `json:"token"`
	SubscriberID string    `json:"subscriber_id"`
	ShowID       string    `json:"show_id"`
	Plan         string    `json:"plan"`
	Created      time.Time `json:"created"`
	LastFetch    time.Time `json:"last_fetch"`
	UserAgent    string    `json:"ua,omitempty"`
}

// Revocation records a token that must no longer be served.
type Revocation struct {
	Reason string    `json:"reason"`
	At     time.Time `json:"at"`
}

// TokenStore keeps feed tokens under "<network>:feedtok:<show>.<random>".
type TokenStore struct {
	kvbase.Table[FeedToken]
	Revoked kvbase.Table[Revocation]

	// Feeds is the separate namespace that caches rendered RSS.
	Feeds  *cloudflare.KVNamespace
	Cfg    config.Config
	Render interface {
		RenderRSS(ctx context.Context, showID string, plan string) (string, error)
	}
}

// New binds the token tables.
func New(tokens, feeds *cloudflare.KVNamespace, cfg config.Config, m kvbase.Metrics) *TokenStore {
	return &TokenStore{
		Table:   kvbase.Table[FeedToken]{NS: tokens, Prefix: "feedtok", TTL: cfg.FeedTokenTTL, Metrics: m},
		Revoked: kvbase.Table[Revocation]{NS: tokens, Prefix: "revoked", TTL: cfg.FeedTokenTTL, Metrics: m},
		Feeds:   feeds,
		Cfg:     cfg,
	}
}

func newSecret() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// ShowOf returns the show a token belongs to.
func ShowOf(token string) string {
	show, _, _ := strings.Cut(token, ".")
	return show
}

// Mint issues a new feed token for a subscriber.
func (s *TokenStore) Mint(ctx context.Context, subscriberID, showID, plan string) (FeedToken, error) {
	t := FeedToken{
		Token:        showID + "." + newSecret(),
		SubscriberID: subscriberID,
		ShowID:       showID,
		Plan:         plan,
		Created:      time.Now().UTC(),
	}
	return t, s.Put(ctx, t.Token, t)
}

// Rotate replaces a leaked token with a fresh one.
func (s *TokenStore) Rotate(ctx context.Context, old string) (FeedToken, error) {
	cur, err := s.Get(ctx, old)
	if err != nil {
		return FeedToken{}, err
	}
	next, err := s.Mint(ctx, cur.SubscriberID, cur.ShowID, cur.Plan)
	if err != nil {
		return FeedToken{}, err
	}
	return next, s.Delete(ctx, old) // EXPECT kvsession
}

// Revoke blocks a token, e.g. when a subscription is refunded.
func (s *TokenStore) Revoke(ctx context.Context, token, reason string) error {
	return s.Revoked.Put(ctx, token, Revocation{Reason: reason, At: time.Now().UTC()}) // EXPECT kvsession
}

// Resolve returns the token record if it is valid and not revoked.
func (s *TokenStore) Resolve(ctx context.Context, token string) (FeedToken, error) {
	t, err := s.Get(ctx, token)
	if err != nil {
		return FeedToken{}, err
	}
	if _, err := s.Revoked.Get(ctx, token); err == nil {
		return FeedToken{}, &kverr.NotFoundError{Key: token}
	} else if !kverr.IsNotFound(err) {
		return FeedToken{}, err
	}
	return t, nil
}

// Touch records the subscriber's latest fetch on the token.
func (s *TokenStore) Touch(ctx context.Context, t FeedToken, ua string) error {
	t.LastFetch = time.Now().UTC()
	t.UserAgent = ua
	return s.Put(ctx, t.Token, t) // EXPECT kvsession|kvrace
}

func (s *TokenStore) rssKey(ctx context.Context, showID, plan string) string {
	return kvbase.Key(tenant.From(ctx), "rss", showID, plan)
}

// RSS returns the rendered feed for a show and plan, rendering it on a miss.
func (s *TokenStore) RSS(ctx context.Context, showID, plan string) (string, error) {
	key := s.rssKey(ctx, showID, plan)
	body, ok, err := kvbase.GetRaw(s.Feeds, key, s.Cfg.FeedCacheSeconds)
	if err != nil {
		return "", err
	}
	if ok {
		return body, nil
	}
	body, err = s.Render.RenderRSS(ctx, showID, plan)
	if err != nil {
		return "", err
	}
	opts := &cloudflare.KVNamespacePutOptions{ExpirationTTL: s.Cfg.FeedCacheSeconds}
	return body, s.Feeds.PutString(key, body, opts)
}

// LiveRSS is used for shows that are streaming live: the feed changes
// every few minutes, so the edge cache is kept short.
func (s *TokenStore) LiveRSS(ctx context.Context, showID, plan string) (string, error) {
	key := s.rssKey(ctx, showID, plan)
	body, err := s.Feeds.GetString(key, &cloudflare.KVNamespaceGetOptions{
		CacheTTL: 15, // EXPECT kvttl
	})
	if err != nil {
		return "", err
	}
	if body != kvbase.Null {
		return body, nil
	}
	body, err = s.Render.RenderRSS(ctx, showID, plan)
	if err != nil {
		return "", err
	}
	return body, s.Feeds.PutString(key, body, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 60})
}

// SubscriberTokens exports every token of a show for the publisher's
// subscriber report.
func (s *TokenStore) SubscriberTokens(ctx context.Context, showID string) ([]string, error) {
	prefix := s.Key(ctx, showID) + "."
	var out []string
	cursor := ""
	for {
		res, err := s.NS.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			out = append(out, strings.TrimPrefix(k.Name, s.Key(ctx)+kvbase.Sep))
		}
		if res.ListComplete {
			return out, nil
		}
		cursor = res.Cursor
	}
}

// CountTokens counts a show's tokens, reading at most MaxListPages pages.
func (s *TokenStore) CountTokens(ctx context.Context, showID string) (int, bool, error) {
	prefix := s.Key(ctx, showID) + "."
	n, cursor := 0, ""
	for page := 0; page < s.Cfg.MaxListPages; page++ {
		res, err := s.NS.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return n, false, err
		}
		n += len(res.Keys)
		if res.ListComplete {
			return n, true, nil
		}
		cursor = res.Cursor
	}
	return n, false, nil
}

// PurgeRSS drops every cached rendering of a show after a publish.
func (s *TokenStore) PurgeRSS(ctx context.Context, showID string) (int, error) {
	prefix := kvbase.Key(tenant.From(ctx), "rss", showID) + kvbase.Sep
	n, cursor := 0, ""
	for {
		res, err := s.Feeds.List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if len(res.Keys) == 0 {
			return n, nil
		}
		for _, k := range res.Keys {
			if err := s.Feeds.Delete(k.Name); err != nil {
				return n, err
			}
			n++
		}
		cursor = res.Cursor
	}
}
