package kvnull

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// A wrapper with named results and a deferred close keeps its error in a
// variable that the function reads back: the not-found test still looks
// at the error, so a miss is told apart from a failure.

type restNS struct {
	api     *cloudflare.Client
	account string
	id      string
}

func statusNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (n *restNS) Get(ctx context.Context, key string) (value []byte, ok bool, err error) {
	resp, err := n.api.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.account)})
	if statusNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, fmt.Errorf("kv get %s: %w", key, err)
	}
	defer resp.Body.Close()
	value, err = io.ReadAll(resp.Body)
	return value, err == nil, err
}

// Every failure is a miss here, named results or not.
func (n *restNS) Lookup(ctx context.Context, key string) (value []byte, ok bool, err error) {
	resp, err := n.api.KV.Namespaces.Values.Get(ctx, n.id, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(n.account)}) // want `every error of this get is taken for a missing key`
	if err != nil {
		return nil, false, nil
	}
	defer resp.Body.Close()
	value, err = io.ReadAll(resp.Body)
	return value, err == nil, err
}

func (n *restNS) Put(ctx context.Context, key, value string) error {
	_, err := n.api.KV.Namespaces.Values.Update(ctx, n.id, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(n.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	})
	return err
}

// Quiet: the wrapper tells a miss from a failure, and the failure is
// returned.
func appendChangelog(ctx context.Context, n *restNS, menu, line string) error {
	old, _, err := n.Get(ctx, "changelog:"+menu)
	if err != nil {
		return err
	}
	return n.Put(ctx, "changelog:"+menu, string(old)+line)
}

func appendAudit(ctx context.Context, n *restNS, menu, line string) error {
	old, _, err := n.Lookup(ctx, "audit:"+menu)
	if err != nil {
		return err
	}
	return n.Put(ctx, "audit:"+menu, string(old)+line)
}
