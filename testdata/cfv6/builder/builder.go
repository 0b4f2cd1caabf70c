// Package builder is a key-value store whose writes are put together in
// steps: s.Write(key).JSON(v).TTL(d).Do(ctx).
package builder

import (
	"context"
	"encoding/json"
	"io"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/cfv6/keys"
)

// Store reads and writes one namespace.
type Store struct {
	client    *cloudflare.Client
	accountID string
	nsID      string
}

// Get reads key.
func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.nsID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.accountID)})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

// Write starts a write of key.
func (s *Store) Write(key string) *WriteOp { return &WriteOp{s: s, key: key} }

// A WriteOp is a write being put together.
type WriteOp struct {
	s     *Store
	key   string
	value string
	ttl   time.Duration
	err   error
}

// JSON sets the value to v, encoded.
func (op *WriteOp) JSON(v any) *WriteOp {
	b, err := json.Marshal(v)
	if err != nil {
		op.err = err
		return op
	}
	op.value = string(b)
	return op
}

// String sets the value.
func (op *WriteOp) String(v string) *WriteOp {
	op.value = v
	return op
}

// TTL sets the lifetime.
func (op *WriteOp) TTL(d time.Duration) *WriteOp {
	op.ttl = d
	return op
}

// Do sends the write.
func (op *WriteOp) Do(ctx context.Context) error {
	if op.err != nil {
		return op.err
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(op.s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(op.value)),
	}
	if op.ttl > 0 {
		params.ExpirationTTL = cloudflare.F(op.ttl.Seconds())
	}
	_, err := op.s.client.KV.Namespaces.Values.Update(ctx, op.s.nsID, op.key, params)
	return err
}

// A Page is one page of key names and the cursor to the next.
type Page struct {
	Names  []string
	Cursor string
}

// Page lists one page under prefix, the limit clamped to what KV takes.
func (s *Store) Page(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(min(max(limit, 10), 1000)))
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.nsID, params)
	if err != nil {
		return Page{}, err
	}
	page := Page{Cursor: res.ResultInfo.Cursor}
	for _, k := range res.Result {
		page.Names = append(page.Names, k.Name)
	}
	return page, nil
}

// Options are a write's settings, kept whole in the write that is put
// together: s.Set(key).Value(v).Expire(d).Do(ctx).
type Options struct {
	TTL      time.Duration
	Metadata map[string]string
}

// SetOp is a write whose settings sit in a struct of their own.
type SetOp struct {
	s     *Store
	key   string
	value []byte
	opts  Options
}

// Set starts a write of key.
func (s *Store) Set(key string) *SetOp { return &SetOp{s: s, key: key} }

// Value sets the value.
func (op *SetOp) Value(v []byte) *SetOp {
	op.value = v
	return op
}

// Expire sets the lifetime.
func (op *SetOp) Expire(d time.Duration) *SetOp {
	op.opts.TTL = d
	return op
}

// Do sends the write.
func (op *SetOp) Do(ctx context.Context) error {
	return op.s.put(ctx, op.key, op.value, op.opts)
}

func (s *Store) put(ctx context.Context, key string, value []byte, opts Options) error {
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.accountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(string(value))),
	}
	if opts.TTL > 0 {
		params.ExpirationTTL = cloudflare.F(opts.TTL.Seconds())
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, params)
	return err
}

var failuresAt = keys.Prefixed("login-failures")

// ClearFailures forgets a user's failed logins.
func (s *Store) ClearFailures(ctx context.Context, user string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.nsID, failuresAt(user), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.accountID)})
	return err
}
