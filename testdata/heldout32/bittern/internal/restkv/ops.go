package restkv

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
)

// WriteOp is a put being assembled:
//
//	ns.Write(key).TTL(24 * time.Hour).Meta(m).JSON(v).Do(ctx)
type WriteOp struct {
	ns    *Namespace
	key   string
	value []byte
	ttl   time.Duration
	meta  any
	err   error
}

// Write starts a put of key.
func (n *Namespace) Write(key string) *WriteOp { return &WriteOp{ns: n, key: key} }

func (w *WriteOp) TTL(d time.Duration) *WriteOp {
	w.ttl = d
	return w
}

// Meta attaches metadata, returned by key listings next to the key name.
func (w *WriteOp) Meta(m any) *WriteOp {
	w.meta = m
	return w
}

func (w *WriteOp) Bytes(b []byte) *WriteOp {
	w.value = b
	return w
}

func (w *WriteOp) JSON(v any) *WriteOp {
	b, err := json.Marshal(v)
	if err != nil {
		w.err = fmt.Errorf("restkv: encode %s: %w", w.key, err)
	}
	w.value = b
	return w
}

// Do performs the put.
func (w *WriteOp) Do(ctx context.Context) error {
	if w.err != nil {
		return w.err
	}
	params := w.ns.updateParams(w.value)
	if w.ttl > 0 {
		params.ExpirationTTL = cloudflare.F(w.ttl.Seconds())
	}
	if w.meta != nil {
		params.Metadata = cloudflare.F(w.meta)
	}
	_, err := w.ns.API.KV.Namespaces.Values.Update(ctx, w.ns.NamespaceID, url.PathEscape(w.key), params)
	return err
}

// ReadJSON decodes the JSON value at key into v.
func (n *Namespace) ReadJSON(ctx context.Context, key string, v any) error {
	b, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}
