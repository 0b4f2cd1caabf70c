// Package feedtokens issues the private RSS URLs of premium shows. Each
// subscriber gets a token of their own, embedded in the feed URL that
// their podcast app polls.
package feedtokens

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/garganey/internal/kvstore"
	"example.com/garganey/internal/timing"
)

// Token is what a private feed URL resolves to.
type Token struct {
	Show     string    `json:"show"`
	Listener string    `json:"listener"`
	Plan     string    `json:"plan"`
	IssuedAt time.Time `json:"issued"`
}

// ErrUnknown is returned for tokens that do not exist or were revoked.
var ErrUnknown = errors.New("feedtokens: unknown token")

// maxRevokePages bounds how far RevokeAll walks a listener's tokens; a
// listener with more than that many tokens is an abuse case for support.
const maxRevokePages = 5

var (
	tokenTTL      = timing.MustDuration("8760h")
	revokedTTL    = timing.MustDuration("8760h")
	attemptWindow = timing.MustDuration("10m")
)

// Tokens is the token service.
type Tokens struct {
	st     kvstore.Store
	tokens *kvstore.Base
}

// New returns the service writing into st.
func New(st kvstore.Store) *Tokens {
	tokens := kvstore.NewBase(st, "feedtoken")
	tokens.TTL = tokenTTL
	return &Tokens{st: st, tokens: tokens}
}

func listenerPrefix(listener string) string { return "feedtoken-by-listener:" + listener + ":" }

// Mint issues a new token for listener's subscription to show.
func (t *Tokens) Mint(ctx context.Context, show, listener, plan string) (string, error) {
	tok := rand.Text()
	rec := Token{Show: show, Listener: listener, Plan: plan, IssuedAt: time.Now().UTC()}
	if err := t.tokens.Save(ctx, tok, rec); err != nil { // DEBATABLE kvsession
		return "", err
	}
	// Index entries expire with their token; nothing deletes them.
	if err := t.st.Put(ctx, listenerPrefix(listener)+tok, []byte(show), tokenTTL); err != nil {
		return "", err
	}
	return tok, nil
}

// Check resolves tok.
func (t *Tokens) Check(ctx context.Context, tok string) (Token, error) {
	var rec Token
	found, err := t.tokens.Load(ctx, tok, &rec)
	if err != nil {
		return rec, err
	}
	if !found {
		return rec, ErrUnknown
	}
	res := t.st.Get(ctx, "revoked:"+tok)
	if res.Err != nil {
		return rec, res.Err
	}
	if res.Value.Found {
		return rec, ErrUnknown
	}
	return rec, nil
}

// Revoke ends a subscription's access, e.g. after a refund.
func (t *Tokens) Revoke(ctx context.Context, tok string) error {
	return t.tokens.Remove(ctx, tok) // EXPECT kvsession
}

// Rotate issues a replacement for a leaked token and marks the old one as
// revoked.
func (t *Tokens) Rotate(ctx context.Context, old string) (string, error) {
	rec, err := t.Check(ctx, old)
	if err != nil {
		return "", err
	}
	fresh, err := t.Mint(ctx, rec.Show, rec.Listener, rec.Plan)
	if err != nil {
		return "", err
	}
	stamp := []byte(time.Now().UTC().Format(time.RFC3339))
	if err := t.st.Put(ctx, "revoked:"+old, stamp, revokedTTL); err != nil { // EXPECT kvsession
		return "", fmt.Errorf("rotate: new token %s issued but old not revoked: %w", fresh, err)
	}
	return fresh, nil
}

// RevokeAll revokes every token of listener, e.g. when the account is
// closed. It needs a store that can list keys.
func (t *Tokens) RevokeAll(ctx context.Context, listener string) (int, error) {
	lister, ok := t.st.(kvstore.Lister)
	if !ok {
		return 0, kvstore.ErrNoList
	}
	prefix := listenerPrefix(listener)
	cursor, n := "", 0
	for range maxRevokePages {
		res := lister.List(ctx, prefix, cursor, 1000)
		if res.Err != nil {
			return n, res.Err
		}
		for _, k := range res.Value.Keys {
			tok := strings.TrimPrefix(k, prefix)
			if err := t.tokens.Remove(ctx, tok); err != nil { // EXPECT kvsession
				return n, err
			}
			n++
		}
		if res.Value.Complete {
			return n, nil
		}
		cursor = res.Value.Cursor
	}
	return n, fmt.Errorf("feedtokens: listener %s has more than %d pages of tokens", listener, maxRevokePages)
}

// NoteFailure counts a failed token lookup from ip and returns the count in
// the current window, so the edge can slow down enumeration of feed URLs.
func (t *Tokens) NoteFailure(ctx context.Context, ip string) (int, error) {
	key := "attempts:" + ip
	res := t.st.Get(ctx, key)
	if res.Err != nil {
		return 0, res.Err
	}
	n := 0
	if res.Value.Found {
		n, _ = strconv.Atoi(string(res.Value.Value))
	}
	n++
	return n, kvstore.PutExpiring(ctx, t.st, key, []byte(strconv.Itoa(n)), attemptWindow) // EXPECT kvcounter|kvrace
}
