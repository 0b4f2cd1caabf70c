package kvsession

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/lease"
)

// deviceSessions keeps one session per device under a user's prefix.
type deviceSessions struct {
	ns *kv.Namespace
}

// A key with no words of its own, listed under a prefix that says
// nothing, is named by the method deleting it: a session manager's Revoke.
func (m *deviceSessions) RevokeDevices(uid string) error { // want RevokeDevices:"kvsession"
	res, err := m.ns.List(&kv.ListOptions{Prefix: "u/" + uid + "/"})
	if err != nil {
		return err
	}
	for _, k := range res.Keys {
		if err := m.ns.Delete(k.Name); err != nil { // want `A session revoked or consumed by a KV delete`
			return err
		}
	}
	return nil
}

// Quiet: a key with text of its own is what that text says, an index
// entry, even inside Revoke.
func (m *deviceSessions) RevokeLabel(uid, label string) error {
	return m.ns.Delete("label:" + uid + ":" + label)
}

// Quiet: the same listing, deleted by a method that revokes nothing.
func (m *deviceSessions) Compact(uid string) error {
	res, err := m.ns.List(&kv.ListOptions{Prefix: "u/" + uid + "/"})
	if err != nil {
		return err
	}
	for _, k := range res.Keys {
		if err := m.ns.Delete(k.Name); err != nil {
			return err
		}
	}
	return nil
}

// records joins its key from parts, which the model does not follow.
type records struct {
	ns     *kv.Namespace
	prefix string
}

func (r *records) key(parts ...string) string {
	return strings.Join(append([]string{r.prefix}, parts...), "/")
}

func (r *records) Delete(id string) error { return r.ns.Delete(r.key(id)) }

// The wrapper's key is not followed: the argument it is given names it.
func consumeLink(links *records, token string) error { // want consumeLink:"kvsession"
	return links.Delete(token) // want `A token revoked or consumed by a KV delete`
}

type checkout struct {
	CartID string
}

// Quiet: the field given names a cart, not the session holding it.
func clearCart(carts *records, sess checkout) error {
	return carts.Delete(sess.CartID)
}

type staffSession struct {
	Email string
}

func sessionOf(r *records) staffSession { return staffSession{Email: r.prefix} }

// Quiet: a history line that names who acted, read from their session,
// appended to a campaign's history: no session is written.
func appendHistory(ns *kv.Namespace, r *records, campaign string) error {
	key := "campaign:" + campaign + ":history"
	prev, err := ns.GetString(key, nil)
	if err != nil {
		return err
	}
	return ns.PutString(key, prev+sessionOf(r).Email+" paused\n", nil)
}

// refreshTokens keys its records by formats from configuration.
type refreshTokens struct {
	ns        *kv.Namespace
	format    string // "rt/%s"
	revFormat string // "revoked/%s"
}

// Rotation retires the old token with a delete: it is still accepted
// elsewhere until the delete arrives.
func (t *refreshTokens) Rotate(old, next string) error { // want Rotate:"kvsession"
	key := fmt.Sprintf(t.format, old)
	if err := t.ns.PutString(fmt.Sprintf(t.format, next), "1", nil); err != nil {
		return err
	}
	return t.ns.Delete(key) // want `A refresh token revoked or consumed by a KV delete`
}

// A revocation written under a key with no words of its own: the method
// says what it is.
func (t *refreshTokens) Revoke(jti string) error { // want Revoke:"kvsession"
	return t.ns.PutString(fmt.Sprintf(t.revFormat, jti), "1", &kv.PutOptions{ExpirationTTL: 3600}) // want `revocation kept in KV`
}

// Quiet: the audit entry inside Revoke says what it is.
func (t *refreshTokens) RevokeAudited(jti, actor string) error {
	return t.ns.PutString("audit:"+jti, actor, nil)
}

// sessions keys its records with a method, by a format from configuration.
type sessions struct {
	ns     *kv.Namespace
	format string
}

func (m *sessions) key(id string) string { return fmt.Sprintf(m.format, id) }

// Destroy signs a session out: the key has no words of its own, and the
// method says what it ends.
func (m *sessions) Destroy(id string) error { // want Destroy:"kvsession"
	return m.ns.Delete(m.key(id)) // want `A session revoked or consumed by a KV delete`
}

// Quiet: a method that ends nothing.
func (m *sessions) Forget(id string) error {
	return m.ns.Delete(m.key(id))
}

// Quiet: the lease of a job that refreshes tokens is a lease.
func endRefreshJob(ns *kv.Namespace) error {
	return lease.Release(ns, "lease/%s", "token-refresh")
}

// apiKey is an API key's record; Revoked marks a tombstone.
type apiKey struct {
	ID      string `json:"id"`
	Hash    string `json:"hash"`
	Revoked bool   `json:"revoked"`
}

// A key revoked by writing a tombstone over its record: other locations
// keep the old record, and accept the key, for 60 s or more.
func (m *deviceSessions) RevokeAPIKey(id string) error { // want RevokeAPIKey:"kvsession"
	tomb, _ := json.Marshal(apiKey{ID: id, Revoked: true})
	return m.ns.PutString("apikey:"+id, string(tomb), nil) // want `An API key revoked by a KV write over its record`
}

// Quiet: the same record written by a function that ends nothing (its
// last-used stamp is kvrace's business when it is read first).
func (m *deviceSessions) RenameAPIKey(id, hash string) error {
	rec, _ := json.Marshal(apiKey{ID: id, Hash: hash})
	return m.ns.PutString("apikey:"+id, string(rec), nil)
}

// Quiet: a revoking function that writes an audit entry, no credential.
func (m *deviceSessions) RevokeAudit(id string) error {
	return m.ns.PutString("audit:"+id+":admin", "1", nil)
}

// Quiet: the description kept beside a key (its label, its creation
// date) is no credential; the key's own record is, deleted first.
func (m *deviceSessions) RevokeAPIKeyMeta(owner, id, hash string) error { // want RevokeAPIKeyMeta:"kvsession"
	if err := m.ns.Delete("apikey:" + hash); err != nil { // want `An API key revoked or consumed by a KV delete`
		return err
	}
	return m.ns.Delete(fmt.Sprintf("apikey-meta:%s:%s", owner, id))
}

// sessionKey checks the cookie's shape before it names the key.
func sessionKey(cookie string) (string, bool) {
	uid, id, ok := strings.Cut(cookie, ":")
	if !ok || len(id) < 32 {
		return "", false
	}
	return "sess:" + uid + ":" + id, true
}

type cookies struct{ ns *kv.Namespace }

// The key comes first of the helper's two results, which names it: a
// session.
func (c cookies) clear(cookie string) error { // want clear:"kvsession"
	if key, ok := sessionKey(cookie); ok {
		return c.ns.Delete(key) // want `A session revoked or consumed by a KV delete`
	}
	return nil
}

// apiTokens keys its records with the kind run together: "apitoken:".
type apiTokens struct{ ns *kv.Namespace }

func (a *apiTokens) Revoke(hash string) error { // want Revoke:"kvsession"
	return a.ns.Delete("apitoken:" + hash) // want `An API key revoked or consumed by a KV delete`
}

// Quiet: a page token of a listing is no credential.
func (a *apiTokens) Forget(cursor string) error {
	return a.ns.Delete("nexttoken:" + cursor)
}

// checkinCodes admits a ticket holder once at the door.
type checkinCodes struct{ ns *kv.Namespace }

func (c *checkinCodes) Redeem(event, code string) error { // want Redeem:"kvsession"
	return c.ns.Delete("checkincode:" + event + ":" + code) // want `revoked or consumed by a KV delete`
}

// Quiet: a country code is no credential.
func (c *checkinCodes) ForgetRegion(country string) error {
	return c.ns.Delete("countrycode:" + country)
}

// A deny list read, appended to and written back is a revocation first.
func (c *checkinCodes) DenyToken(tok string) error { // want DenyToken:"kvsession"
	raw, err := c.ns.GetString("tokens:revoked", nil)
	if err != nil {
		return err
	}
	list := raw + "," + tok
	return c.ns.PutString("tokens:revoked", list, nil) // want `revocation kept in KV`
}

// Any token named run together in key text is one: a private feed's.
type feedTokens struct{ ns *kv.Namespace }

func (f *feedTokens) revokeFeed(tok string) error { // want revokeFeed:"kvsession"
	return f.ns.Delete("feedtoken:" + tok) // want `A token revoked or consumed by a KV delete`
}

// Quiet: a saved page token of a listing is no credential.
func (f *feedTokens) forgetPage(job string) error {
	return f.ns.Delete("pagetoken:" + job)
}

// A plain token, named more closely by the store that keeps it.
type tenantAPIKeys struct{ ns *kv.Namespace }

func (a *tenantAPIKeys) drop(key string) error { return a.ns.Delete(key) }

func revokeTenantKey(a *tenantAPIKeys, tenant, id string) error { // want revokeTenantKey:"kvsession"
	return a.drop("tenant-token:" + tenant + ":" + id) // want `An API key revoked or consumed by a KV delete`
}

// formTokens keeps one CSRF token per session.
type formTokens struct {
	ns *kv.Namespace
}

// A function named for rotation writes over the token that exists, read
// or not: the old token stays valid at other locations.
func (f *formTokens) RotateCSRF(sessionID, token string) error { // want RotateCSRF:"kvsession"
	return f.ns.PutString("csrf:"+sessionID, token, nil) // want `A CSRF token overwritten in KV \(rotated`
}

// Quiet: the first token of a session, under a key of its own.
func (f *formTokens) IssueCSRF(sessionID, token string) error {
	return f.ns.PutString("csrf:"+sessionID, token, nil)
}

// Quiet: a refresh that names no token, under a fixed key.
func (f *formTokens) RefreshMarker() error {
	return f.ns.PutString("refresh:last-run", "1", nil)
}
