package kvsession

import (
	"context"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/cfv6/keys"
)

// Keys built by a key space of another package: the text given to a
// builder is not the key's own, and the builder's name says what it holds.
type senders struct {
	client *cloudflare.Client
	ks     keys.Space
}

// RevokeKey puts a key on the revocation list the gateway checks.
func (s *senders) RevokeKey(ctx context.Context, sender, name string) error { // want RevokeKey:"kvsession"
	_, err := s.client.KV.Namespaces.Values.Update(ctx, "ns", url.PathEscape(s.ks.Revoked(sender+":"+name)), kv.NamespaceValueUpdateParams{ // want `revocation kept in KV`
		AccountID: cloudflare.F("acct"),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(sender + " " + time.Now().UTC().Format(time.RFC3339))),
	})
	return err
}

// Quiet: a sender's profile.
func (s *senders) Rename(ctx context.Context, sender, name string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, "ns", url.PathEscape(s.ks.Sender(sender+":"+name)), kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F("acct"),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(name)),
	})
	return err
}
