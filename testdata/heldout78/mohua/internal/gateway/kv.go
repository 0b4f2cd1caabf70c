// Package gateway implements the use-case gateways over Workers KV.
package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"github.com/mohua-labs/mohua/internal/kvrest"
	"github.com/mohua-labs/mohua/internal/usecase"
)

// KV implements every gateway of package usecase.
type KV struct {
	Store   *kvrest.Store
	Data    kvrest.Namespace
	Auth    kvrest.Namespace
	ChainID uint64
}

var (
	_ usecase.PortfolioGateway = (*KV)(nil)
	_ usecase.HandleGateway    = (*KV)(nil)
	_ usecase.WatchlistGateway = (*KV)(nil)
	_ usecase.SessionGateway   = (*KV)(nil)
)

func notFound(err error) error {
	if errors.Is(err, kvrest.ErrNotFound) {
		return usecase.ErrNotFound
	}
	return err
}

// HoldingsPage returns one page of balances and the cursor of the next one.
func (g *KV) HoldingsPage(ctx context.Context, chainID uint64, addr, cursor string) ([]usecase.Holding, string, error) {
	prefix := fmt.Sprintf("bal:%d:%s:", chainID, strings.ToLower(addr))
	page, err := g.Store.ListPage(ctx, g.Data, prefix, cursor, 100)
	if err != nil {
		return nil, "", err
	}
	out := make([]usecase.Holding, 0, len(page.Keys))
	for _, k := range page.Keys {
		h := usecase.Holding{Contract: strings.TrimPrefix(k.Name, prefix)}
		if v, ok := k.Metadata["balance"].(string); ok {
			h.Balance = v
		}
		out = append(out, h)
	}
	return out, page.Cursor, nil
}

// LookupHandle returns the wallet that owns a handle.
func (g *KV) LookupHandle(ctx context.Context, handle string) (string, error) {
	res, err := g.Store.Client().KV.Namespaces.Values.Get(ctx, string(g.Data), "handle:"+handle, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(g.Store.AccountID()),
	})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return string(raw), nil
	}
	return "", usecase.ErrNotFound
}

// SaveHandle stores handle → wallet.
func (g *KV) SaveHandle(ctx context.Context, handle, wallet string) error {
	return g.Store.Put(ctx, g.Data, "handle:"+handle, []byte(wallet))
}

// UpdateWatchlist applies change to a device's watchlist.
func (g *KV) UpdateWatchlist(ctx context.Context, deviceID string, change func([]string) []string) ([]string, error) {
	key := "watchlist:" + deviceID
	var list []string
	raw, err := g.Store.Get(ctx, g.Data, key)
	if err != nil && !errors.Is(err, kvrest.ErrNotFound) {
		return nil, err
	}
	if err == nil {
		if err := json.Unmarshal(raw, &list); err != nil {
			return nil, err
		}
	}
	list = change(list)
	buf, _ := json.Marshal(list)
	return list, g.Store.Put(ctx, g.Data, key, buf) // EXPECT kvrace
}

func sessionKey(id string) string { return "session:" + id }

// CreateSession stores a new session until it expires.
func (g *KV) CreateSession(ctx context.Context, s usecase.Session) error {
	buf, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return g.Store.PutUntil(ctx, g.Auth, sessionKey(s.ID), buf, s.ExpiresAt)
}

// Session loads a session.
func (g *KV) Session(ctx context.Context, id string) (usecase.Session, error) {
	var s usecase.Session
	raw, err := g.Store.Get(ctx, g.Auth, sessionKey(id))
	if err != nil {
		return s, notFound(err)
	}
	return s, json.Unmarshal(raw, &s)
}

// TouchSession extends a session after activity.
func (g *KV) TouchSession(ctx context.Context, s usecase.Session) error {
	s.LastSeen = time.Now()
	s.ExpiresAt = s.LastSeen.Add(12 * time.Hour)
	buf, _ := json.Marshal(s)
	return g.Store.PutUntil(ctx, g.Auth, sessionKey(s.ID), buf, s.ExpiresAt) // EXPECT kvsession
}

// RevokeSession deletes a session.
func (g *KV) RevokeSession(ctx context.Context, id string) error {
	return g.Store.Delete(ctx, g.Auth, sessionKey(id)) // EXPECT kvsession
}

// RefreshOwner returns the wallet a refresh token belongs to.
func (g *KV) RefreshOwner(ctx context.Context, token string) (string, error) {
	raw, err := g.Store.Get(ctx, g.Auth, "refresh:"+token)
	if err != nil {
		return "", notFound(err)
	}
	return string(raw), nil
}

// ReplaceRefresh stores a fresh refresh token and retires the old one.
func (g *KV) ReplaceRefresh(ctx context.Context, old, fresh, wallet string) error {
	if err := g.Store.PutTTL(ctx, g.Auth, "refresh:"+fresh, []byte(wallet), 30*24*time.Hour); err != nil {
		return err
	}
	if old == "" {
		return nil
	}
	return g.Store.Delete(ctx, g.Auth, "refresh:"+old) // EXPECT kvsession
}

// EmailCode returns the pending verification code of an address.
func (g *KV) EmailCode(ctx context.Context, email string) (string, error) {
	raw, err := g.Store.Get(ctx, g.Auth, "otp:"+strings.ToLower(email))
	if err != nil {
		return "", notFound(err)
	}
	return string(raw), nil
}

// ConsumeEmailCode removes a redeemed code.
func (g *KV) ConsumeEmailCode(ctx context.Context, email string) error {
	return g.Store.Delete(ctx, g.Auth, "otp:"+strings.ToLower(email)) // EXPECT kvsession
}

// IssueEmailCode stores a fresh code for 15 minutes.
func (g *KV) IssueEmailCode(ctx context.Context, email, code string) error {
	return g.Store.PutTTL(ctx, g.Auth, "otp:"+strings.ToLower(email), []byte(code), 15*time.Minute)
}

// RecentSessions lists a few of a wallet's session index entries for the account page.
func (g *KV) RecentSessions(ctx context.Context, wallet string) ([]string, error) {
	res, err := g.Store.Client().KV.Namespaces.Keys.List(ctx, string(g.Auth), kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(g.Store.AccountID()),
		Prefix:    cloudflare.F("wallet-session:" + strings.ToLower(wallet) + ":"),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	return names, nil
}

// RevokeAll signs a wallet out everywhere.
func (g *KV) RevokeAll(ctx context.Context, wallet string) error {
	pager := g.Store.Client().KV.Namespaces.Keys.ListAutoPaging(ctx, string(g.Auth), kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(g.Store.AccountID()),
		Prefix:    cloudflare.F("wallet-session:" + strings.ToLower(wallet) + ":"),
	})
	var errs []error
	for pager.Next() {
		k := pager.Current()
		id := k.Name[strings.LastIndexByte(k.Name, ':')+1:]
		errs = append(errs, g.Store.Delete(ctx, g.Auth, sessionKey(id))) // EXPECT kvsession
	}
	return errors.Join(append(errs, pager.Err())...)
}
