package kvsession

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/invites"
	"kvlint.test/syumai033/keyspace"
	"kvlint.test/syumai033/tokens"
)

type sessionRecord struct {
	ID       string
	UserID   string
	LastSeen time.Time
}

// Sliding expiry: the caller's session record changed and written back.
func touchRecord(ns *kv.Namespace, s *sessionRecord) error { // want touchRecord:"kvsession"
	s.LastSeen = time.Now()
	b, _ := json.Marshal(s)
	return ns.PutString("session:"+s.ID, string(b), &kv.PutOptions{ExpirationTTL: 3600}) // want `A session changed and written back in KV`
}

type signup struct {
	Email string
}

// Quiet: a new session built from a request is created, not changed.
func start(ns *kv.Namespace, req signup) (string, error) {
	req.Email = "x" + req.Email
	buf := make([]byte, 16)
	rand.Read(buf)
	s := sessionRecord{ID: hex.EncodeToString(buf), UserID: req.Email}
	b, _ := json.Marshal(s)
	return s.ID, ns.PutString("session:"+s.ID, string(b), &kv.PutOptions{ExpirationTTL: 3600})
}

// Quiet by default: a code created where the get found none.
func sendCode(ns *kv.Namespace, email, fresh string) error {
	v, err := ns.GetString("otp:"+email, nil)
	if err != nil {
		return err
	}
	if v == "<null>" {
		return ns.PutString("otp:"+email, fresh, &kv.PutOptions{ExpirationTTL: 600})
	}
	return nil
}

// Every session of a user, listed by prefix and deleted one by one.
func revokeAll(ns *kv.Namespace, uid string) error { // want revokeAll:"kvsession"
	res, err := ns.List(&kv.ListOptions{Prefix: "sess:" + uid + ":"})
	if err != nil {
		return err
	}
	for _, k := range res.Keys {
		if err := ns.Delete(k.Name); err != nil { // want `A session revoked or consumed by a KV delete`
			return err
		}
	}
	return nil
}

// A newsletter confirmation token consumed with delete.
func confirm(ns *kv.Namespace, token string) error { // want confirm:"kvsession"
	return ns.Delete("confirm:" + token) // want `A confirmation token revoked or consumed`
}

// Key is a key under construction, in the layout every package shares.
type Key struct{ parts []string }

// NewKey starts a key in namespace ns.
func NewKey(ns string, parts ...string) Key { return Key{parts: append([]string{ns}, parts...)} }

func (k Key) String() string { return strings.Join(k.parts, ":") }

const magicLinks = "magic"

// A key built by a key-builder type is named by what built it.
func redeemLink(ns *kv.Namespace, tok string) error { // want redeemLink:"kvsession"
	key := NewKey(magicLinks, tok).String()
	if _, err := ns.GetString(key, nil); err != nil {
		return err
	}
	return ns.Delete(key) // want `A magic link revoked or consumed`
}

// Quiet: a feature flag's key, built the same way.
func dropFlag(ns *kv.Namespace, name string) error {
	return ns.Delete(NewKey("flags", name).String())
}

// oauthConsent is the scopes a user granted a client: a record of the
// OAuth flow, not a credential.
type oauthConsent struct {
	Scopes []string `json:"scopes"`
}

// Quiet: granting one more scope rewrites the consent record; a race,
// which is kvrace's, and no session.
func grantScope(ns *kv.Namespace, user, client, scope string) error {
	raw, err := ns.GetString("consent:"+user+":"+client, nil)
	if err != nil {
		return err
	}
	var c oauthConsent
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &c); err != nil {
			return err
		}
	}
	c.Scopes = append(c.Scopes, scope)
	b, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return ns.PutString("consent:"+user+":"+client, string(b), nil)
}

// A login challenge used once: the get then delete can be replayed at
// another location.
func answerChallenge(ns *kv.Namespace, id, answer string) (bool, error) { // want answerChallenge:"kvsession"
	want, err := ns.GetString("login:challenge:"+id, nil)
	if err != nil || want == "<null>" {
		return false, err
	}
	return want == answer, ns.Delete("login:challenge:" + id) // want `A challenge revoked or consumed`
}

// Quiet: a game's daily challenges, purged once they are old.
func purgeDailyChallenges(ns *kv.Namespace, cutoff string) error {
	res, err := ns.List(&kv.ListOptions{Prefix: "challenge:", Limit: 100})
	if err != nil {
		return err
	}
	for _, k := range res.Keys {
		if k.Name < cutoff {
			if err := ns.Delete(k.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// A password reset token under a short prefix, consumed with delete.
func redeemReset(ns *kv.Namespace, token string) (string, error) { // want redeemReset:"kvsession"
	user, err := ns.GetString("pwreset:"+token, nil)
	if err != nil || user == "<null>" {
		return "", err
	}
	return user, ns.Delete("pwreset:" + token) // want `A password reset token revoked or consumed`
}

type accounts struct{ ns *kv.Namespace }

type member struct{ ID, Email string }

func (a *accounts) confirmEmail(email string) (member, error) {
	raw, err := a.ns.GetString(keyspace.Verify(email), nil)
	if err != nil || raw == "<null>" {
		return member{}, err
	}
	var m member
	return m, json.Unmarshal([]byte(raw), &m)
}

func (a *accounts) startSession(m member) (string, error) {
	s := sessionRecord{ID: rand.Text(), UserID: m.ID}
	b, _ := json.Marshal(s)
	return s.ID, a.ns.PutString(keyspace.Session(s.ID), string(b), &kv.PutOptions{ExpirationTTL: 3600})
}

// Quiet: the session started for the member that a confirmation read has
// a new random key, whatever else the record holds.
func (a *accounts) confirmAndStart(email string) (string, error) { // want confirmAndStart:"kvsession judged inside"
	m, err := a.confirmEmail(email)
	if err != nil {
		return "", err
	}
	return a.startSession(m)
}

// The pending verification is consumed: another location can still
// redeem it.
func (a *accounts) finishVerification(email string) error { // want finishVerification:"kvsession"
	return a.ns.Delete(keyspace.Verify(email)) // want `A one-time code revoked or consumed`
}

// A recovery code is used up by writing the list back without it.
func useRecoveryCode(ns *kv.Namespace, user, code string) error { // want useRecoveryCode:"kvsession"
	raw, err := ns.GetString("recovery:"+user, nil)
	if err != nil || raw == "<null>" {
		return err
	}
	codes := strings.Split(raw, ",")
	i := slices.Index(codes, code)
	if i < 0 {
		return nil
	}
	codes = slices.Delete(codes, i, i+1)
	return ns.PutString("recovery:"+user, strings.Join(codes, ","), nil) // want `A recovery code read, changed and written back`
}

// Quiet: the count of failed attempts at a code is no code.
func clearAttempts(ns *kv.Namespace, uid string) error {
	return ns.Delete("verify-attempts:" + uid)
}

// The emailed code is consumed: another location can still redeem it.
func confirmEmailCode(ns *kv.Namespace, user string) error { // want confirmEmailCode:"kvsession"
	return ns.Delete("t:acme:emailcode:" + user) // want `A one-time code revoked or consumed`
}

// Quiet here: a roster whose key names it, though its records live in a
// package named for invitations (kvrace's finding, not a credential's).
func addMember(ns *kv.Namespace, org string, m invites.Member) error {
	var roster []invites.Member
	if raw, err := ns.GetString("org:"+org+":members", nil); err == nil && raw != "<null>" {
		_ = json.Unmarshal([]byte(raw), &roster)
	}
	roster = append(roster, m)
	b, _ := json.Marshal(roster)
	return ns.PutString("org:"+org+":members", string(b), nil)
}

// Quiet: an index entry of invitations is no invitation.
func dropIndexEntry(ns *kv.Namespace, org, code string) error {
	return ns.Delete("invite-idx:" + org + ":" + code)
}

// A token's record, under a key that only abbreviates what it holds:
// its package says it is a token's, and stamping it on every use races.
func touchToken(ns *kv.Namespace, hash string, now int64) error { // want touchToken:"kvsession"
	raw, err := ns.GetString("tok:"+hash, nil)
	if err != nil || raw == "<null>" {
		return err
	}
	var rec tokens.Record
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return err
	}
	rec.LastUsed = now
	b, _ := json.Marshal(rec)
	return ns.PutString("tok:"+hash, string(b), nil) // want `A token read, changed and written back in KV`
}

type grant struct {
	Status, Citizen string
}

// An OAuth device grant approved in place: the device polling at another
// location may not see it for 60 s or more.
func approveGrant(ns *kv.Namespace, code, citizen string) error { // want approveGrant:"kvsession"
	raw, err := ns.GetString("device-grant:"+code, nil)
	if err != nil || raw == "<null>" {
		return err
	}
	var g grant
	if err := json.Unmarshal([]byte(raw), &g); err != nil {
		return err
	}
	g.Status, g.Citizen = "approved", citizen
	b, _ := json.Marshal(g)
	return ns.PutString("device-grant:"+code, string(b), nil) // want `A device code read, changed and written back in KV`
}

// wrap encodes v in an envelope that names its kind and version.
func wrap(kind string, version int, v any) ([]byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return json.Marshal(map[string]any{"kind": kind, "v": version, "body": json.RawMessage(body)})
}

// Sliding expiry through an envelope encoder with more than one argument.
func touchEnveloped(ns *kv.Namespace, s sessionRecord) error { // want touchEnveloped:"kvsession"
	s.LastSeen = time.Now()
	b, err := wrap("session", 1, s)
	if err != nil {
		return err
	}
	return ns.PutString("session:"+s.ID, string(b), &kv.PutOptions{ExpirationTTL: 3600}) // want `A session changed and written back in KV`
}

// Quiet: a new session whose envelope names the request it came from.
func startEnveloped(ns *kv.Namespace, req signup) error {
	req.Email = strings.ToLower(req.Email)
	s := sessionRecord{ID: rand.Text(), UserID: req.Email}
	b, err := wrap("session", 1, s)
	if err != nil {
		return err
	}
	return ns.PutString("session:"+s.ID, string(b), &kv.PutOptions{ExpirationTTL: 3600})
}

// Every session of a user, found through an index, deleted with its
// index entries: a revocation all the same.
func revokeIndexedSessions(ns *kv.Namespace, uid string) error { // want revokeIndexedSessions:"kvsession"
	prefix := "sessidx:" + uid + ":"
	res, err := ns.List(&kv.ListOptions{Prefix: prefix})
	if err != nil {
		return err
	}
	var keys []string
	for _, k := range res.Keys {
		keys = append(keys, k.Name, "sess:"+strings.TrimPrefix(k.Name, prefix))
	}
	for _, k := range keys {
		if err := ns.Delete(k); err != nil { // want `A session revoked or consumed by a KV delete`
			return err
		}
	}
	return nil
}

// Quiet: only the index entries go.
func dropSessionIndex(ns *kv.Namespace, uid string) error {
	prefix := "sessidx:" + uid + ":"
	res, err := ns.List(&kv.ListOptions{Prefix: prefix})
	if err != nil {
		return err
	}
	var keys []string
	for _, k := range res.Keys {
		keys = append(keys, k.Name)
	}
	for _, k := range keys {
		if err := ns.Delete(k); err != nil {
			return err
		}
	}
	return nil
}
