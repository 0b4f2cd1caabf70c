package kvstore

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// WriteOpts may be nil; its lifetime then is the store's own.
type WriteOpts struct {
	TTL time.Duration // want TTL:`kv field: put`
}

func (o *WriteOpts) ttlOr(def time.Duration) time.Duration { // want ttlOr:`kv number`
	if o == nil || o.TTL == 0 {
		return def
	}
	return o.TTL
}

type LifeStore struct {
	ns   *kv.Namespace
	life time.Duration // want life:`kv field: put`
}

func (s *LifeStore) putOpts(o *WriteOpts) *kv.PutOptions { // want putOpts:`kv builder`
	opts := &kv.PutOptions{}
	if ttl := o.ttlOr(s.life); ttl > 0 {
		opts.ExpirationTTL = int(ttl / time.Second)
	}
	return opts
}

func (s *LifeStore) Put(key, v string, o *WriteOpts) error { // want Put:`kv wrapper: put`
	return s.ns.PutString(key, v, s.putOpts(o))
}

// Floor keeps a lifetime at a minute or more, and zero, no lifetime, as
// it is.
func Floor(d time.Duration) time.Duration { // want Floor:`kv number`
	if d == 0 {
		return 0
	}
	return max(d, time.Minute)
}

// Whole drops a lifetime's fraction of a second, and keeps zero.
func Whole(d time.Duration) time.Duration { // want Whole:`kv number`
	if d == 0 {
		return 0
	}
	return d / time.Second * time.Second
}
