// Package optional: a storage port whose options are held by pointer, as
// go vet sees it with the entries that kvlint --print-interfaces prints for
// its adapter (in another package): WriteOpts.TTL=put(ttl) and
// WriteOpts.ExpireAt=put(expiration).
package optional

import (
	"context"
	"time"
)

// WriteOpts are optional write settings; nil means none.
type WriteOpts struct {
	TTL      *time.Duration
	ExpireAt *time.Time
}

// Store is the port; its adapter sends *o.TTL in seconds and
// o.ExpireAt.Unix().
type Store interface {
	Put(ctx context.Context, key, value string, o WriteOpts) error
}

func ptr[T any](v T) *T { return &v }

func hold(ctx context.Context, s Store, id string) error {
	return s.Put(ctx, "hold:"+id, "1", WriteOpts{TTL: ptr(15 * time.Second)}) // want `ExpirationTTL 15 \(kept in WriteOpts.TTL, which a later put reads\) is below KV's 60-second minimum`
}

type releaser struct {
	store Store
	now   func() time.Time
}

func (r *releaser) release(ctx context.Context, id string) error {
	o := WriteOpts{
		ExpireAt: ptr(r.now().Add(45 * time.Second)), // want `Expiration is time.Now\(\) plus 45s \(kept in WriteOpts.ExpireAt, which a later put reads\), less than KV's 60-second minimum ahead`
	}
	return r.store.Put(ctx, "released:"+id, "1", o)
}

func releaseLater(ctx context.Context, s Store, id string) error {
	return s.Put(ctx, "released:"+id, "1", WriteOpts{ExpireAt: ptr(time.Now().Add(10 * time.Minute))})
}

func holdLonger(ctx context.Context, s Store, id string) error {
	ttl := 2 * time.Minute
	return s.Put(ctx, "hold:"+id, "1", WriteOpts{TTL: &ttl})
}

func keep(ctx context.Context, s Store, id string) error {
	return s.Put(ctx, "keep:"+id, "1", WriteOpts{})
}

// Pair is one entry of the port's bulk write; its adapter sends
// ExpirationTTL as it is, in seconds.
type Pair struct {
	Key           string
	Value         string
	ExpirationTTL int
	Expiration    int64
}

// Bulk is the port's bulk write.
type Bulk interface {
	PutPairs(ctx context.Context, pairs []Pair) error
}

const codeLifetime = 10 * time.Minute

func issueCodes(ctx context.Context, b Bulk, codes []string) error {
	var pairs []Pair
	for _, c := range codes {
		pairs = append(pairs, Pair{Key: "code:" + c, Value: "1", ExpirationTTL: int(codeLifetime)}) // want `ExpirationTTL \(kept in Pair.ExpirationTTL, which a later bulk put reads\) is a lifetime in seconds, but this converts a time.Duration to nanoseconds`
		pairs = append(pairs, Pair{Key: "seen:" + c, Value: "1", ExpirationTTL: int(codeLifetime.Seconds())})
		pairs = append(pairs, Pair{Key: "pass:" + c, Value: "1", Expiration: time.Now().Add(time.Hour).UnixMilli()}) // want `Expiration \(kept in Pair.Expiration, which a later bulk put reads\) is in seconds since the Unix epoch, but this is a Unix time in ms`
	}
	return b.PutPairs(ctx, pairs)
}
