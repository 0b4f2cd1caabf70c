//go:build js && wasm

package edgekv

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// WriteOp is a put being assembled:
//
//	s.Write(key).TTL(time.Hour).JSON(v).Do(ctx)
type WriteOp struct {
	ns    *Namespace
	key   string
	value string
	ttl   time.Duration
	at    time.Time
	err   error
}

// Write starts a put of key.
func (n *Namespace) Write(key string) *WriteOp { return &WriteOp{ns: n, key: key} }

// TTL makes the value expire d after the write.
func (w *WriteOp) TTL(d time.Duration) *WriteOp {
	w.ttl = d
	return w
}

// ExpireAt makes the value expire at t.
func (w *WriteOp) ExpireAt(t time.Time) *WriteOp {
	w.at = t
	return w
}

func (w *WriteOp) String(v string) *WriteOp {
	w.value = v
	return w
}

func (w *WriteOp) Int(v int) *WriteOp {
	w.value = strconv.Itoa(v)
	return w
}

func (w *WriteOp) JSON(v any) *WriteOp {
	b, err := json.Marshal(v)
	if err != nil {
		w.err = fmt.Errorf("edgekv: encode %s: %w", w.key, err)
		return w
	}
	w.value = string(b)
	return w
}

// Do performs the put.
func (w *WriteOp) Do(ctx context.Context) error {
	if w.err != nil {
		return w.err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	opts := &kv.PutOptions{}
	if w.ttl > 0 {
		opts.ExpirationTTL = int(w.ttl.Seconds())
	}
	if !w.at.IsZero() {
		opts.Expiration = int(w.at.Unix())
	}
	return w.ns.ns.PutString(w.key, w.value, opts)
}

// ReadOp is a get being assembled:
//
//	err := s.Read(key).CacheTTL(time.Minute).Into(ctx, &v)
type ReadOp struct {
	ns       *Namespace
	key      string
	cacheTTL time.Duration
}

// Read starts a get of key.
func (n *Namespace) Read(key string) *ReadOp { return &ReadOp{ns: n, key: key} }

// CacheTTL sets how long the edge location may serve this value from its
// cache before asking KV's central store again.
func (r *ReadOp) CacheTTL(d time.Duration) *ReadOp {
	r.cacheTTL = d
	return r
}

// String returns the stored string, or ErrNotFound.
func (r *ReadOp) String(ctx context.Context) (string, error) {
	if err := ctx.Err(); err != nil {
		return "", err
	}
	var opts *kv.GetOptions
	if r.cacheTTL > 0 {
		opts = &kv.GetOptions{CacheTTL: int(r.cacheTTL.Seconds())}
	}
	v, err := r.ns.ns.GetString(r.key, opts)
	if err != nil {
		return "", err
	}
	if v == nullValue {
		return "", ErrNotFound
	}
	return v, nil
}

// Int reads a decimal integer, or ErrNotFound.
func (r *ReadOp) Int(ctx context.Context) (int, error) {
	s, err := r.String(ctx)
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		return 0, fmt.Errorf("edgekv: %s is not an integer: %w", r.key, err)
	}
	return n, nil
}

// Into decodes a JSON value into v, or returns ErrNotFound.
func (r *ReadOp) Into(ctx context.Context, v any) error {
	s, err := r.String(ctx)
	if err != nil {
		return err
	}
	if err := json.Unmarshal([]byte(s), v); err != nil {
		return fmt.Errorf("edgekv: decode %s: %w", r.key, err)
	}
	return nil
}
