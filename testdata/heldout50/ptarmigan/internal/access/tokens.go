// Package access issues and revokes the tokens that unlock private feeds.
//
// A private feed URL looks like https://feeds.ptarmigan.fm/private/<token>.xml.
// The edge worker looks the token up in KV; this package, running in the
// backend, writes and removes tokens.
package access

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"time"

	"ptarmigan/internal/kvstore"
)

// FeedToken grants one subscriber access to one show's private feed.
type FeedToken struct {
	Token        string    `json:"-"`
	ShowID       string    `json:"show_id"`
	SubscriberID string    `json:"subscriber_id"`
	IssuedAt     time.Time `json:"issued_at"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Key implements kvstore.Record.
func (t FeedToken) Key() string { return t.Token }

// TTL implements kvstore.Record: the record disappears when the token
// expires.
func (t FeedToken) TTL() time.Duration {
	return time.Until(t.ExpiresAt) // EXPECT kvttl
}

// Tokens manages private-feed tokens.
type Tokens struct {
	tokens   kvstore.Scope // feed-token:<token>
	bySub    kvstore.Scope // subscriber-feeds:<subscriber>:<token>
	revoked  kvstore.Scope // revoked:<token>
	maxPages int
}

// NewTokens returns the token store under root.
func NewTokens(root kvstore.Scope, maxPages int) *Tokens {
	return &Tokens{
		tokens:   root.Scope("feed-token"),
		bySub:    root.Scope("subscriber-feeds"),
		revoked:  root.Scope("revoked"),
		maxPages: maxPages,
	}
}

func newToken() (string, error) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// Issue creates a token for subscriber on show, valid for validFor.
func (t *Tokens) Issue(ctx context.Context, showID, subscriberID string, validFor time.Duration) (FeedToken, error) {
	tok, err := newToken()
	if err != nil {
		return FeedToken{}, err
	}
	now := time.Now().UTC()
	ft := FeedToken{Token: tok, ShowID: showID, SubscriberID: subscriberID, IssuedAt: now, ExpiresAt: now.Add(validFor)}
	if err := kvstore.Save(ctx, t.tokens, ft); err != nil {
		return FeedToken{}, err
	}
	if err := t.bySub.Scope(subscriberID).Put(ctx, tok, []byte(showID), max(validFor, time.Minute)); err != nil {
		return FeedToken{}, err
	}
	return ft, nil
}

// Revoke withdraws a token, e.g. when a subscription is refunded.
func (t *Tokens) Revoke(ctx context.Context, token string) error {
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := t.revoked.Put(ctx, token, stamp, 90*24*time.Hour); err != nil { // EXPECT kvsession
		return err
	}
	return t.tokens.Delete(ctx, token) // EXPECT kvsession
}

// RevokeSubscriber withdraws every token of a subscriber and returns how
// many were removed.
func (t *Tokens) RevokeSubscriber(ctx context.Context, subscriberID string) (int, error) {
	idx := t.bySub.Scope(subscriberID)
	cursor, n := "", 0
	for page := 0; page < t.maxPages; page++ {
		names, next, err := idx.ListPage(ctx, cursor, 1000)
		if err != nil {
			return n, err
		}
		if len(names) > 0 {
			if err := t.tokens.BulkDelete(ctx, names); err != nil { // EXPECT kvsession
				return n, err
			}
			if err := idx.BulkDelete(ctx, names); err != nil {
				return n, err
			}
			n += len(names)
		}
		if next == "" {
			return n, nil
		}
		cursor = next
	}
	return n, fmt.Errorf("access: subscriber %s has more than %d pages of tokens", subscriberID, t.maxPages)
}
