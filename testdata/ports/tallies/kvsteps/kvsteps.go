// Package kvsteps builds reads and writes in steps, over Workers KV
// (cloudflare-go v6), for a port whose methods hand out the steps.
package kvsteps

import (
	"context"
	"encoding/json"
	"io"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Namespace is one KV namespace.
type Namespace struct {
	Client        *cloudflare.Client
	Account, NSID string
}

// Read starts a read of key.
func (n *Namespace) Read(key string) *ReadOp { return &ReadOp{ns: n, key: key} }

// Write starts a write of key.
func (n *Namespace) Write(key string) *WriteOp { return &WriteOp{ns: n, key: key} }

// A ReadOp reads one key.
type ReadOp struct {
	ns  *Namespace
	key string
}

// Into decodes the value into v.
func (r *ReadOp) Into(ctx context.Context, v any) error {
	resp, err := r.ns.Client.KV.Namespaces.Values.Get(ctx, r.ns.NSID, r.key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.ns.Account)})
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// A WriteOp writes one key.
type WriteOp struct {
	ns    *Namespace
	key   string
	value string
}

// JSON sets the value.
func (w *WriteOp) JSON(v any) *WriteOp {
	raw, _ := json.Marshal(v)
	w.value = string(raw)
	return w
}

// Do sends the write.
func (w *WriteOp) Do(ctx context.Context) error {
	_, err := w.ns.Client.KV.Namespaces.Values.Update(ctx, w.ns.NSID, w.key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(w.ns.Account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(w.value)),
	})
	return err
}
