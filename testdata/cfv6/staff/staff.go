// Package staff deletes what it lists under a prefix whose builder names it.
package staff

import (
	"context"
	"errors"
	"io"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/cfv6/uow"
)

// staffSessionPrefix is where one staff member's sessions are kept; its
// text abbreviates what its name says.
func staffSessionPrefix(tenant, staffID string) string {
	return tenant + "/ss/" + staffID + "/"
}

func staffProfilePrefix(tenant, staffID string) string {
	return tenant + "/sp/" + staffID + "/"
}

// A staff member removed: each key listed under the prefix the builder
// names is deleted, and stays valid elsewhere for a while.
func removeStaff(ctx context.Context, client *cloudflare.Client, tenant, staffID string) error { // want removeStaff:"kvsession"
	iter := client.KV.Namespaces.Keys.ListAutoPaging(ctx, "ns", kv.NamespaceKeyListParams{
		AccountID: cloudflare.F("acct"),
		Prefix:    cloudflare.F(staffSessionPrefix(tenant, staffID)),
	})
	for iter.Next() {
		k := iter.Current()
		if _, err := client.KV.Namespaces.Values.Delete(ctx, "ns", k.Name, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F("acct")}); err != nil { // want `A session revoked or consumed`
			return err
		}
	}
	return iter.Err()
}

// Quiet: the keys listed are a staff member's profile entries.
func removeStaffProfile(ctx context.Context, client *cloudflare.Client, tenant, staffID string) error {
	iter := client.KV.Namespaces.Keys.ListAutoPaging(ctx, "ns", kv.NamespaceKeyListParams{
		AccountID: cloudflare.F("acct"),
		Prefix:    cloudflare.F(staffProfilePrefix(tenant, staffID)),
	})
	for iter.Next() {
		k := iter.Current()
		if _, err := client.KV.Namespaces.Values.Delete(ctx, "ns", k.Name, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F("acct")}); err != nil {
			return err
		}
	}
	return iter.Err()
}

type registry struct {
	client *cloudflare.Client
	now    func() time.Time
}

func (r *registry) get(ctx context.Context, key string) (string, error) {
	res, err := r.client.KV.Namespaces.Values.Get(ctx, "ns", key, kv.NamespaceValueGetParams{AccountID: cloudflare.F("acct")})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

func (r *registry) put(ctx context.Context, key, value string) error {
	_, err := r.client.KV.Namespaces.Values.Update(ctx, "ns", key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F("acct"),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	})
	return err
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// A runner registers with a one-time registration code, deleted once used.
func (r *registry) register(ctx context.Context, code, name string) error { // want register:"kvsession"
	if err := r.put(ctx, "runner:"+name, stamp(r.now())); err != nil {
		return err
	}
	_, err := r.client.KV.Namespaces.Values.Delete(ctx, "ns", "regcode:"+code, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F("acct")}) // want `A one-time code revoked or consumed`
	return err
}

// A token checked, then its last-seen time written on every use.
func (r *registry) authenticate(ctx context.Context, token string) (string, error) { // want authenticate:"^kvsession$" authenticate:"kvsession judged inside"
	runner, err := r.get(ctx, "token:"+token)
	if err != nil {
		return "", err
	}
	if err := r.put(ctx, "token:seen:"+token, stamp(r.now())); err != nil { // want `A token stamped in KV on each use`
		return "", err
	}
	return runner, nil
}

// Quiet: what is written with the time is the request's own data, and a
// page's last view names no credential.
func (r *registry) issue(ctx context.Context, token, runner string) error { // want issue:"kvsession judged inside"
	if _, err := r.get(ctx, "runner:"+runner); err != nil {
		return err
	}
	return r.put(ctx, "token:"+token, runner+" "+stamp(r.now()))
}

func (r *registry) view(ctx context.Context, page string) (string, error) { // want view:"kvsession judged inside"
	body, err := r.get(ctx, "page:"+page)
	if err != nil {
		return "", err
	}
	return body, r.put(ctx, "page:seen:"+page, stamp(r.now()))
}

var errRecent = errors.New("sent moments ago")

// Quiet: a resend cooldown reads and stamps its own key.
func (r *registry) markResent(ctx context.Context, invite string) error { // want markResent:"kvsession judged inside"
	if v, _ := r.get(ctx, "invite-resent:"+invite); v != "" {
		return errRecent
	}
	return r.put(ctx, "invite-resent:"+invite, stamp(r.now()))
}

// Quiet: a notice for the next page, kept in the sessions store under the
// session's ID, written on logout.
func logout(ctx context.Context, sessions *registry, sid string) error {
	return sessions.put(ctx, "flash:"+sid, "signed-out")
}

// Tokens revoked through a unit of work that deletes in bulk on Commit:
// each staged delete is the revocation.
func revokeRunners(ctx context.Context, client *cloudflare.Client, tokens []string, badge string) error { // want revokeRunners:"kvsession"
	tx := uow.Begin(client, "ns")
	for _, t := range tokens {
		tx.Delete("token:" + t)    // want `A token revoked or consumed`
		tx.Remove("regtoken:" + t) // want `A token revoked or consumed`
	}
	tx.Put("badge:"+badge, "revoked")
	tx.Remove("badge:old:" + badge)
	return tx.Commit(ctx)
}

// Quiet: a device remembered at sign-in, under a key that records no use.
func (r *registry) rememberDevice(ctx context.Context, token, device string) error { // want rememberDevice:"kvsession judged inside"
	if _, err := r.get(ctx, "token:"+token); err != nil {
		return err
	}
	return r.put(ctx, "token:device:"+token+":"+device, stamp(r.now()))
}

// Feed tokens listed under their abbreviated prefix and deleted in bulk:
// a rotation, whose old tokens stay accepted elsewhere for a while.
func rotateFeedTokens(ctx context.Context, client *cloudflare.Client, showID string) error { // want rotateFeedTokens:"kvsession"
	res, err := client.KV.Namespaces.Keys.List(ctx, "ns", kv.NamespaceKeyListParams{
		AccountID: cloudflare.F("acct"),
		Prefix:    cloudflare.F("ptok:" + showID + ":"),
	})
	if err != nil {
		return err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	_, err = client.KV.Namespaces.BulkDelete(ctx, "ns", kv.NamespaceBulkDeleteParams{ // want `A token revoked or consumed`
		AccountID: cloudflare.F("acct"),
		Body:      names,
	})
	return err
}

// Quiet: "stock:" holds stock levels, whatever the letters it ends with.
func resetStockLevels(ctx context.Context, client *cloudflare.Client, sku string) error {
	res, err := client.KV.Namespaces.Keys.List(ctx, "ns", kv.NamespaceKeyListParams{
		AccountID: cloudflare.F("acct"),
		Prefix:    cloudflare.F("stock:" + sku + ":"),
	})
	if err != nil {
		return err
	}
	names := make([]string, 0, len(res.Result))
	for _, k := range res.Result {
		names = append(names, k.Name)
	}
	_, err = client.KV.Namespaces.BulkDelete(ctx, "ns", kv.NamespaceBulkDeleteParams{
		AccountID: cloudflare.F("acct"),
		Body:      names,
	})
	return err
}

func sessionIndexPrefix(staffID string) string { return "sessidx:" + staffID + ":" }
func sessionKey(id string) string              { return "sess:" + id }
func draftKey(id string) string                { return "draft:" + id }

// A password change: each session id listed under the staff member's
// index is deleted as a session, under a key the helper builds.
func revokeOtherSessions(ctx context.Context, client *cloudflare.Client, staffID, keep string) error { // want revokeOtherSessions:"kvsession"
	res, err := client.KV.Namespaces.Keys.List(ctx, "ns", kv.NamespaceKeyListParams{
		AccountID: cloudflare.F("acct"),
		Prefix:    cloudflare.F(sessionIndexPrefix(staffID)),
	})
	if err != nil {
		return err
	}
	for _, k := range res.Result {
		id := strings.TrimPrefix(k.Name, sessionIndexPrefix(staffID))
		if id == keep {
			continue
		}
		if _, err := client.KV.Namespaces.Values.Delete(ctx, "ns", sessionKey(id), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F("acct")}); err != nil { // want `A session revoked or consumed`
			return err
		}
	}
	return nil
}

// Quiet: the ids listed under the session index name drafts here.
func discardDrafts(ctx context.Context, client *cloudflare.Client, staffID string) error {
	res, err := client.KV.Namespaces.Keys.List(ctx, "ns", kv.NamespaceKeyListParams{
		AccountID: cloudflare.F("acct"),
		Prefix:    cloudflare.F(sessionIndexPrefix(staffID)),
	})
	if err != nil {
		return err
	}
	for _, k := range res.Result {
		id := strings.TrimPrefix(k.Name, sessionIndexPrefix(staffID))
		if _, err := client.KV.Namespaces.Values.Delete(ctx, "ns", draftKey(id), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F("acct")}); err != nil {
			return err
		}
	}
	return nil
}
