// Package feedtoken issues and revokes the tokens that give paying
// subscribers a private RSS feed URL.
package feedtoken

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"github.com/siskinfm/siskin/internal/cfkv"
	"github.com/siskinfm/siskin/internal/kvdb"
	"github.com/siskinfm/siskin/internal/kvstore"
)

// Record is stored under ptok:<show>:<token>; the edge reads it on every
// private feed request.
type Record struct {
	ShowID       string    `json:"show_id"`
	SubscriberID string    `json:"subscriber_id"`
	Email        string    `json:"email"`
	IssuedAt     time.Time `json:"issued_at"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// RevokedList is stored under revoked:<show> and consulted by the edge.
type RevokedList struct {
	Tokens    []string  `json:"tokens"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Manager owns token lifecycle.
type Manager struct {
	KV *cfkv.Client
	Q  *kvdb.Queries
}

// tokenLife is the lifetime of a subscription token; renewals issue a new one.
const tokenLife = 366 * 24 * time.Hour

// Issue mints a token for a subscriber and stores its record.
func (m *Manager) Issue(ctx context.Context, showID, subscriberID, email string) (string, error) {
	var b [18]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	tok := base64.RawURLEncoding.EncodeToString(b[:])
	now := time.Now()
	rec := Record{ShowID: showID, SubscriberID: subscriberID, Email: email, IssuedAt: now, ExpiresAt: now.Add(tokenLife)}
	if err := kvstore.Put(ctx, fmt.Sprintf("ptok:%s:%s", showID, tok), rec, tokenLife); err != nil {
		return "", err
	}
	return tok, nil
}

// Revoke cancels one token, e.g. after a refund.
func (m *Manager) Revoke(ctx context.Context, showID, tok string) error {
	if err := m.Q.DeleteFeedToken(ctx, showID, tok); err != nil && !cfkv.IsNotFound(err) {
		return err
	}
	var list RevokedList
	if _, err := kvstore.Load(ctx, "revoked:"+showID, &list); err != nil {
		return err
	}
	if slices.Contains(list.Tokens, tok) {
		return nil
	}
	list.Tokens = append(list.Tokens, tok)
	list.UpdatedAt = time.Now()
	return kvstore.Put(ctx, "revoked:"+showID, list, 0) // EXPECT kvsession|kvrace
}

// RotateAll revokes every token of a show, used when a creator's feed
// leaks publicly. Tokens are listed a page at a time, up to a fixed budget.
func (m *Manager) RotateAll(ctx context.Context, showID string) (int, error) {
	const maxPages = 50
	api := m.KV.API()
	p := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(m.KV.AccountID()),
		Prefix:    cloudflare.F("ptok:" + showID + ":"),
		Limit:     cloudflare.F(1000.0),
	}
	total := 0
	for page := 0; page < maxPages; page++ {
		res, err := api.KV.Namespaces.Keys.List(ctx, m.KV.Namespace(), p)
		if err != nil {
			return total, err
		}
		names := make([]string, 0, len(res.Result))
		for _, k := range res.Result {
			names = append(names, k.Name)
		}
		if len(names) > 0 {
			_, err = api.KV.Namespaces.BulkDelete(ctx, m.KV.Namespace(), kv.NamespaceBulkDeleteParams{ // EXPECT kvsession
				AccountID: cloudflare.F(m.KV.AccountID()),
				Body:      names,
			})
			if err != nil {
				return total, err
			}
			total += len(names)
		}
		if res.ResultInfo.Cursor == "" {
			return total, nil
		}
		p.Cursor = cloudflare.F(res.ResultInfo.Cursor)
	}
	return total, fmt.Errorf("feedtoken: more than %d pages of tokens for %s", maxPages, showID)
}
