// Package kvsessions implements revoke.Sessions over Workers KV, where a
// revocation is a delete: reported here, once, not at each caller.
package kvsessions

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/ports/revoke"
)

var _ revoke.Sessions = (*Store)(nil)

type Store struct {
	Client        *cloudflare.Client
	Account, NSID string
}

func (s *Store) Revoke(ctx context.Context, id string) error {
	_, err := s.Client.KV.Namespaces.Values.Delete(ctx, s.NSID, "session:"+id, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.Account)}) // kvsession
	return err
}

func (s *Store) Rotate(ctx context.Context, old, fresh, user string) error {
	_, err := s.Client.KV.Namespaces.Values.Update(ctx, s.NSID, "refresh:"+fresh, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.Account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(user)),
		ExpirationTTL: cloudflare.F(30 * 24 * 3600.0),
	})
	if err != nil || old == "" {
		return err
	}
	_, err = s.Client.KV.Namespaces.Values.Delete(ctx, s.NSID, "refresh:"+old, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.Account)}) // kvsession
	return err
}
