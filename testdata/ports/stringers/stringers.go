// Package stringers is a port whose keys are typed: each kind of key is a
// type with a String method, and the port takes a fmt.Stringer.
package stringers

import (
	"context"
	"fmt"
	"io"

	"github.com/cloudflare/cloudflare-go/v6"
	cfkv "github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type KV interface {
	Get(ctx context.Context, key fmt.Stringer) ([]byte, error)
	Put(ctx context.Context, key fmt.Stringer, value []byte) error
}

// SeatKey is the key of a license's seat count.
type SeatKey struct{ License string }

func (k SeatKey) String() string { return "seats:" + k.License }

// REST is the KV adapter of the port.
type REST struct {
	Client        *cloudflare.Client
	Account, NSID string
}

func (r *REST) Get(ctx context.Context, key fmt.Stringer) ([]byte, error) {
	res, err := r.Client.KV.Namespaces.Values.Get(ctx, r.NSID, key.String(), cfkv.NamespaceValueGetParams{AccountID: cloudflare.F(r.Account)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (r *REST) Put(ctx context.Context, key fmt.Stringer, value []byte) error {
	_, err := r.Client.KV.Namespaces.Values.Update(ctx, r.NSID, key.String(), cfkv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.Account),
		Value:     cloudflare.F[cfkv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	})
	return err
}
