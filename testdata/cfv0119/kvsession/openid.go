package kvsession

import (
	"context"
	"encoding/json"
	"path"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// oidcStore keeps an OpenID provider's records under short prefixes:
// what each holds is named only by the methods and the types around it.
type oidcStore struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

type accessToken struct {
	ID       string
	ClientID string
	Expires  time.Time
}

func (s *oidcStore) getJSON(ctx context.Context, key string, v any) error {
	raw, err := s.api.GetWorkersKV(ctx, s.rc, cloudflare.GetWorkersKVParams{NamespaceID: s.ns, Key: key})
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

func (s *oidcStore) putJSON(ctx context.Context, key string, v any) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = s.api.WriteWorkersKVEntry(ctx, s.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns, Key: key, Value: raw})
	return err
}

func (s *oidcStore) del(ctx context.Context, key string) error {
	_, err := s.api.DeleteWorkersKVEntry(ctx, s.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: s.ns, Key: key})
	return err
}

func refreshKey(token string) string { return "rt:" + token }

// The library calls this once the code was exchanged: "authreq" is an
// authorization request, spelled out by the method's name.
func (s *oidcStore) DeleteAuthRequest(ctx context.Context, id string) error { // want DeleteAuthRequest:"kvsession"
	return s.del(ctx, "authreq:"+id) // want `An authorization request revoked or consumed by a KV delete`
}

// "rt" is the refresh token the method's name spells out.
func (s *oidcStore) CreateAccessAndRefreshTokens(ctx context.Context, current string) (string, error) { // want CreateAccessAndRefreshTokens:"kvsession"
	if current != "" {
		if err := s.del(ctx, "rt:"+current); err != nil { // want `A refresh token revoked or consumed by a KV delete`
			return "", err
		}
	}
	return "new", nil
}

// "at" is the access token the record read from it is decoded into.
func (s *oidcStore) TerminateSession(ctx context.Context, clientID string, ids []string) error { // want TerminateSession:"^kvsession$" TerminateSession:"kvsession judged inside"
	for _, id := range ids {
		var t accessToken
		if err := s.getJSON(ctx, "at:"+id, &t); err != nil {
			continue
		}
		if err := s.del(ctx, "at:"+id); err != nil { // want `A token revoked or consumed by a KV delete`
			return err
		}
	}
	return nil
}

// Quiet: "at" here is an audit trail, which no name around it calls a
// credential.
func (s *oidcStore) dropAuditTrail(ctx context.Context, id string) error {
	return s.del(ctx, "at:"+id)
}

// A user's grants listed, each one's refresh token deleted: the listed
// entry deleted beside it is an index, the token is the revocation.
func (s *oidcStore) endUserSessions(ctx context.Context, userID string) error { // want endUserSessions:"kvsession"
	page, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{NamespaceID: s.ns, Prefix: path.Join("grants", userID) + "/"})
	if err != nil {
		return err
	}
	for _, k := range page.Result {
		if err := s.del(ctx, refreshKey(path.Base(k.Name))); err != nil { // want `A refresh token revoked or consumed by a KV delete`
			return err
		}
		if err := s.del(ctx, k.Name); err != nil {
			return err
		}
	}
	return nil
}

// The owner's index of sessions ("sess-by-owner") is no session: only
// the first delete revokes one.
func (s *oidcStore) logout(ctx context.Context, owner, id string) error { // want logout:"kvsession"
	if err := s.del(ctx, "sess:"+id); err != nil { // want `A session revoked or consumed by a KV delete`
		return err
	}
	return s.del(ctx, "sess-by-owner:"+owner+":"+id)
}

// Quiet here: a user's list of token IDs is an index, whose read and
// write-back is kvrace's race, not a token changed in place.
func (s *oidcStore) rememberToken(ctx context.Context, userID, tokenID string) error { // want rememberToken:"kvsession judged inside"
	var ids []string
	if err := s.getJSON(ctx, "user-tokens:"+userID, &ids); err != nil {
		return err
	}
	return s.putJSON(ctx, "user-tokens:"+userID, append(ids, tokenID))
}

// A redeemed link's user ID names the session written next: the link is
// still spent by its delete.
func (s *oidcStore) redeemLink(ctx context.Context, id string) error { // want redeemLink:"^kvsession$" redeemLink:"kvsession judged inside"
	var user string
	if err := s.getJSON(ctx, "magic:"+id, &user); err != nil {
		return err
	}
	if err := s.del(ctx, "magic:"+id); err != nil { // want `A magic link revoked or consumed by a KV delete`
		return err
	}
	return s.putJSON(ctx, "user-session:"+user, time.Now())
}

// checkouts keeps a shop's checkout flows.
type checkouts struct {
	api *cloudflare.API
	rc  *cloudflare.ResourceContainer
	ns  string
}

func (c *checkouts) del(ctx context.Context, key string) error {
	_, err := c.api.DeleteWorkersKVEntry(ctx, c.rc, cloudflare.DeleteWorkersKVEntryParams{NamespaceID: c.ns, Key: key})
	return err
}

// The state a checkout's redirect carries there and back, keyed by its
// own value, is spent on the way back.
func (c *checkouts) finish(ctx context.Context, state string) (string, error) { // want finish:"kvsession"
	key := "checkout:state:" + state
	raw, err := c.api.GetWorkersKV(ctx, c.rc, cloudflare.GetWorkersKVParams{NamespaceID: c.ns, Key: key})
	if err != nil {
		return "", err
	}
	_ = c.del(ctx, key) // want `An OAuth state or code revoked or consumed by a KV delete`
	return string(raw), nil
}

// Quiet: a user's wizard state, keyed by the user, is no token.
func (c *checkouts) finishWizard(ctx context.Context, user string) error {
	return c.del(ctx, "wizard:state:"+user)
}
