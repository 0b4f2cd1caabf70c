package kvsession

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// Interfaces that are narrow views of the SDK's namespace, which callers
// pass as it is: their calls are the namespace's.
type pinGetter interface {
	GetString(key string, opts *kv.GetOptions) (string, error)
}

type pinGetDeleter interface {
	pinGetter
	Delete(key string) error
}

var errWrongPIN = errors.New("wrong pin")

func ridePINKey(trip string) string { return "pin:trip:" + trip }

// A ride's one-time PIN, spent with a delete.
func spendRidePIN(ns pinGetDeleter, trip, code string) error { // want spendRidePIN:"kvsession"
	want, err := ns.GetString(ridePINKey(trip), nil)
	if err != nil {
		return err
	}
	if want != code {
		return errWrongPIN
	}
	return ns.Delete(ridePINKey(trip)) // want `A PIN revoked or consumed by a KV delete`
}

// Quiet: Delete(key string) error alone could be anything's.
type anyDeleter interface {
	Delete(key string) error
}

func dropSession(d anyDeleter, id string) error {
	return d.Delete("session:" + id)
}

type optIn struct {
	Status    string
	Confirmed time.Time
}

// A key named for the token it is built from, not a token drawn.
func optInTokenKey(tok string) string { return "optin:" + tok }

// A confirmation token's record, marked used and written back.
func markOptInUsed(ns *kv.Namespace, tok string, p *optIn) error { // want markOptInUsed:"kvsession"
	p.Status = "confirmed"
	p.Confirmed = time.Now()
	raw, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return ns.PutString(optInTokenKey(tok), string(raw), nil) // want `A token changed and written back in KV`
}

// Tests replace how tokens are drawn.
var newFeedToken = drawFeedToken

func drawFeedToken() string { return time.Now().Format(time.RFC3339Nano) }

type feedGrant struct {
	Plan   string
	Issued time.Time
}

// Quiet: a grant given, stamped and stored under a token drawn here is a
// new record, not a change.
func issueFeedToken(ns *kv.Namespace, g feedGrant) (string, error) {
	tok := newFeedToken()
	g.Issued = time.Now()
	raw, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	return tok, ns.PutString(optInTokenKey(tok), string(raw), nil)
}

type cacheStore struct{ ns *kv.Namespace }

// Quiet: Reset clears a store; it names no password reset.
func (c *cacheStore) ResetWithContext() error {
	res, err := c.ns.List(&kv.ListOptions{})
	if err != nil {
		return err
	}
	for _, k := range res.Keys {
		if err := c.ns.Delete(k.Name); err != nil {
			return err
		}
	}
	return nil
}

func (c *cacheStore) Reset() error { return c.ResetWithContext() }

// A password reset spent by its token is one.
func (c *cacheStore) ResetPassword(token string) error { // want ResetPassword:"kvsession"
	return c.ns.Delete(token) // want `token revoked or consumed by a KV delete`
}
