// Package optrepo is a generic repository whose Find hands back an
// optional value rather than a not-found error.
package optrepo

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Maybe holds a value or nothing.
type Maybe[T any] struct {
	value T
	ok    bool
}

func Some[T any](v T) Maybe[T] { return Maybe[T]{value: v, ok: true} }

// Get returns the value and whether there is one.
func (m Maybe[T]) Get() (T, bool) { return m.value, m.ok }

// Present reports whether there is a value.
func (m Maybe[T]) Present() bool { return m.ok }

type Repo[T any] struct {
	client  *cloudflare.Client
	account string
	ns      string
	prefix  string
}

func New[T any](client *cloudflare.Client, account, ns, prefix string) *Repo[T] {
	return &Repo[T]{client: client, account: account, ns: ns, prefix: prefix}
}

func (r *Repo[T]) Find(ctx context.Context, id string) (Maybe[T], error) {
	res, err := r.client.KV.Namespaces.Values.Get(ctx, r.ns, r.prefix+id, kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.account)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return Maybe[T]{}, nil
		}
		return Maybe[T]{}, err
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		return Maybe[T]{}, err
	}
	var v T
	if err := json.Unmarshal(data, &v); err != nil {
		return Maybe[T]{}, err
	}
	return Some(v), nil
}

func (r *Repo[T]) Save(ctx context.Context, id string, v T) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = r.client.KV.Namespaces.Values.Update(ctx, r.ns, r.prefix+id, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(data)),
	})
	return err
}
