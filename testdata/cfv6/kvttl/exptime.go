package kvttl

import (
	"context"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/option"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/cfv6/querystore"
)

// queryPutOptions holds a lifetime that the store sends as the
// expiration_ttl query parameter, and only when it is positive: zero
// means the key never expires.
type queryPutOptions struct {
	TTL time.Duration
}

type itemStore struct {
	client *cloudflare.Client
}

func (s *itemStore) put(ctx context.Context, key, value string, opts queryPutOptions) error {
	var reqOpts []option.RequestOption
	if opts.TTL > 0 {
		reqOpts = append(reqOpts, option.WithQuery("expiration_ttl", strconv.Itoa(int(opts.TTL.Seconds()))))
	}
	_, err := s.client.KV.Namespaces.Values.Update(ctx, "ns", key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F("acct"),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}, reqOpts...)
	return err
}

// memcached's exptime: 0 never expires, up to 30 days is relative,
// larger is a Unix time. The countdown to a Unix time is clamped.
func exptimeClamped(exptime int32, now time.Time) (ttl time.Duration, expired bool) {
	switch {
	case exptime == 0:
		return 0, false
	case exptime < 0:
		return 0, true
	case exptime <= 30*24*3600:
		ttl = time.Duration(exptime) * time.Second
	default:
		at := time.Unix(int64(exptime), 0)
		if !at.After(now) {
			return 0, true
		}
		ttl = at.Sub(now)
	}
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return ttl, false
}

// The countdown to a Unix time, with no clamp.
func exptimeRaw(exptime int32, now time.Time) (ttl time.Duration, expired bool) {
	if exptime == 0 {
		return 0, false
	}
	at := time.Unix(int64(exptime), 0)
	if !at.After(now) {
		return 0, true
	}
	return at.Sub(now), false
}

// Quiet: the lifetime is 0 for "never expires", which the store does
// not send, or at least a minute.
func (s *itemStore) set(ctx context.Context, key, value string, exptime int32) error {
	ttl, expired := exptimeClamped(exptime, time.Now())
	if expired {
		return nil
	}
	return s.put(ctx, key, value, queryPutOptions{TTL: ttl})
}

// A Unix time a few seconds ahead leaves a lifetime of a few seconds.
func (s *itemStore) setRaw(ctx context.Context, key, value string, exptime int32) error {
	ttl, expired := exptimeRaw(exptime, time.Now())
	if expired {
		return nil
	}
	return s.put(ctx, key, value, queryPutOptions{TTL: ttl}) // want `counted down to a moment`
}

// The same through an adapter of another package.
type remoteItems struct{ store *querystore.Store }

// Quiet: 0 is not sent, and the rest is at least a minute.
func (r *remoteItems) set(ctx context.Context, key, value string, exptime int32) error {
	ttl, expired := exptimeClamped(exptime, time.Now())
	if expired {
		return nil
	}
	return r.store.Put(ctx, key, value, querystore.PutOptions{TTL: ttl})
}

func (r *remoteItems) setRaw(ctx context.Context, key, value string, exptime int32) error {
	ttl, expired := exptimeRaw(exptime, time.Now())
	if expired {
		return nil
	}
	return r.store.Put(ctx, key, value, querystore.PutOptions{TTL: ttl}) // want `counted down to a moment`
}
