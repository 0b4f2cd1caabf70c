package kvrace

import (
	"context"
	"encoding/json"
	"io"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/cfv6/nsstore"
)

// The namespace is read from a getter of the store at each call: the
// same namespace for the get and the write.
func appendEpisode(ctx context.Context, s *nsstore.Store, show, episode string) error {
	key := "episodes:" + show
	var list []string
	res, err := s.Namespaces().Values.Get(ctx, s.NamespaceID(), key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.Account())})
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, &list); err != nil {
		return err
	}
	b, err := json.Marshal(append(list, episode))
	if err != nil {
		return err
	}
	_, err = s.Namespaces().Values.Update(ctx, s.NamespaceID(), key, kv.NamespaceValueUpdateParams{ // want `read-modify-write on one KV key`
		AccountID: cloudflare.F(s.Account()),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(b)),
	})
	return err
}

// Quiet: copied from one store to another.
func copyEpisodes(ctx context.Context, from, to *nsstore.Store, show string) error {
	key := "episodes:" + show
	res, err := from.Namespaces().Values.Get(ctx, from.NamespaceID(), key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(from.Account())})
	if err != nil {
		return err
	}
	raw, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		return err
	}
	_, err = to.Namespaces().Values.Update(ctx, to.NamespaceID(), key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(to.Account()),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(raw)),
	})
	return err
}
