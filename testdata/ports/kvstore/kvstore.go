// Package kvstore implements store.Store over Workers KV (cloudflare-go v6).
package kvstore

import (
	"context"
	"io"
	"net/url"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/ports/ops"
	"kvlint.test/ports/store"
)

type KV struct {
	Client        *cloudflare.Client
	Account, NSID string
	Prefix        string // of every key, for namespaces shared by services
}

func (s *KV) Get(ctx context.Context, key string) ([]byte, error) {
	resp, err := s.Client.KV.Namespaces.Values.Get(ctx, s.NSID, url.PathEscape(s.Prefix+key), kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.Account)})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func (s *KV) Set(ctx context.Context, key string, v []byte, ttl time.Duration) error {
	_, err := s.Client.KV.Namespaces.Values.Update(ctx, s.NSID, url.PathEscape(s.Prefix+key), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.Account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	return err
}

// Put implements store.Cache: the TTL comes from the options, declared in
// the port's package, which does not know this adapter, and goes through
// an entry of the adapter's own.
func (s *KV) Put(ctx context.Context, key string, v []byte, opts ...store.PutOption) error {
	o := store.Apply(opts)
	return s.write(ctx, entry{key: key, value: v, ttl: o.TTL.Seconds()})
}

// Lease implements store.Leases, converting the lifetime with the port's
// own helper.
func (s *KV) Lease(ctx context.Context, key string, v []byte, opts ...store.LeaseOption) error {
	e := entry{key: key, value: v}
	if n := store.ApplyLease(opts).Seconds(); n > 0 {
		e.ttl = float64(n)
	}
	return s.write(ctx, e)
}

type entry struct {
	key   string
	value []byte
	ttl   float64
}

func (s *KV) write(ctx context.Context, e entry) error {
	_, err := s.Client.KV.Namespaces.Values.Update(ctx, s.NSID, e.key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.Account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(e.value)),
		ExpirationTTL: cloudflare.F(e.ttl),
	})
	return err
}

// Write implements store.Writer. Its lifetimes are set only when given,
// so a caller's zero options write a key that does not expire.
func (s *KV) Write(ctx context.Context, key string, v []byte, opts store.WriteOptions) error {
	if err := ctx.Err(); err != nil {
		return err // a request already given up on writes nothing
	}
	params := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.Account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
	}
	switch {
	case opts.TTL > 0:
		params.ExpirationTTL = cloudflare.F(opts.TTL.Seconds())
	case !opts.ExpireAt.IsZero():
		params.Expiration = cloudflare.F(float64(opts.ExpireAt.Unix()))
	}
	_, err := s.Client.KV.Namespaces.Values.Update(ctx, s.NSID, url.PathEscape(s.Prefix+key), params)
	return err
}

// Archive implements store.Archiver.
func (s *KV) Archive(ctx context.Context, key string, v []byte, opts store.ArchiveOptions) error {
	_, err := s.Client.KV.Namespaces.Values.Update(ctx, s.NSID, url.PathEscape(s.Prefix+key), *archiveParams(s.Account, v, opts))
	return err
}

func archiveParams(account string, v []byte, opts store.ArchiveOptions) *kv.NamespaceValueUpdateParams {
	value := cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v))
	switch {
	case opts.Keep > 0:
		return &kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(account), Value: value, ExpirationTTL: cloudflare.F(float64(opts.Keep / time.Second))}
	case !opts.Until.IsZero():
		return &kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(account), Value: value, Expiration: cloudflare.F(float64(opts.Until.Unix()))}
	}
	return &kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(account), Value: value}
}

// Exec runs an operation described as a value: the executor that main
// gives the services of package ops.
func (s *KV) Exec(ctx context.Context, op ops.Op) (ops.Result, error) {
	switch op.Kind {
	case ops.OpGet:
		v, err := s.Get(ctx, op.Key)
		if err != nil {
			return ops.Result{}, err
		}
		return ops.Result{Value: v, Found: true}, nil
	case ops.OpPut:
		return ops.Result{}, s.Set(ctx, op.Key, op.Value, op.TTL)
	case ops.OpDelete:
		_, err := s.Client.KV.Namespaces.Values.Delete(ctx, s.NSID, url.PathEscape(s.Prefix+op.Key), kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.Account)})
		return ops.Result{}, err
	}
	return ops.Result{}, nil
}

// Runner returns an executor as a closure over the adapter and ctx.
func (s *KV) Runner(ctx context.Context) ops.Runner {
	return func(op ops.Op) (ops.Result, error) {
		switch op.Kind {
		case ops.OpGet:
			v, err := s.Get(ctx, op.Key)
			return ops.Result{Value: v, Found: err == nil}, err
		case ops.OpPut:
			return ops.Result{}, s.Set(ctx, op.Key, op.Value, op.TTL)
		}
		return ops.Result{}, nil
	}
}
