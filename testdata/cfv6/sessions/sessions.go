// Package sessions writes sessions through a builder whose lifetime sits
// in a struct of settings it holds: kvsession's default mode.
package sessions

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"kvlint.test/cfv6/builder"
	"kvlint.test/cfv6/keys"
)

type Session struct {
	ID       string
	User     string
	LastSeen time.Time
}

type Sessions struct{ store *builder.Store }

// Sliding expiry: the caller's session, changed and written back through
// every step of the chain.
func (s *Sessions) Touch(ctx context.Context, sess *Session) error { // want Touch:"kvsession"
	sess.LastSeen = time.Now()
	b, _ := json.Marshal(sess)
	return s.store.Set("session:" + sess.ID).Value(b).Expire(30 * time.Minute).Do(ctx) // want `A session changed and written back in KV`
}

// Quiet: a session made here is created, not changed (default mode).
func (s *Sessions) Start(ctx context.Context, id, user string) error {
	b, _ := json.Marshal(Session{ID: id, User: user, LastSeen: time.Now()})
	return s.store.Set("session:" + id).Value(b).Expire(30 * time.Minute).Do(ctx)
}

// A key whose words come from the prefix its builder was made with.
var linkAt = keys.Prefixed("magic-link")

// A delete of a magic link, at other locations only later: only the
// prefix its key builder was made with says what it deletes.
func drop(ctx context.Context, client *cloudflare.Client, account, ns, id string) error { // want drop:"kvsession"
	_, err := client.KV.Namespaces.Values.Delete(ctx, ns, linkAt(id), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(account)}) // want `A magic link revoked or consumed by a KV delete`
	return err
}

// Quiet: the session only says whose failed logins are forgotten; the
// text its key builder was made with says what the key is.
func (s *Sessions) SignedIn(ctx context.Context, sess *Session) error {
	return s.store.ClearFailures(ctx, sess.User)
}
