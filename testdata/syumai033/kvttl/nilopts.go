package kvttl

import (
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kvlint.test/syumai033/kvstore"
)

// Options a caller may leave nil, read through nil-safe accessors.
type writeOpts struct {
	TTL time.Duration
}

func (o *writeOpts) ttl() time.Duration {
	if o == nil {
		return 0
	}
	return o.TTL
}

func (o *writeOpts) sdk() *kv.PutOptions {
	var p kv.PutOptions
	if d := o.ttl(); d > 0 {
		p.ExpirationTTL = int(d / time.Second)
	}
	if p == (kv.PutOptions{}) {
		return nil
	}
	return &p
}

type optStore struct{ ns *kv.Namespace }

func (s *optStore) put(key, v string, opts *writeOpts) error {
	return s.ns.PutString(key, v, opts.sdk())
}

func holdOptSeat(s *optStore, seat string) error {
	return s.put("hold:"+seat, "1", &writeOpts{
		TTL: 15 * time.Second, // want `ExpirationTTL 15 \(kept in writeOpts.TTL, which a later put reads\) is below KV's 60-second minimum`
	})
}

// Quiet: no options, and a lifetime KV takes.
func keepOptSeat(s *optStore, seat string) error {
	if err := s.put("seat:"+seat, "1", nil); err != nil {
		return err
	}
	return s.put("hold:"+seat, "1", &writeOpts{TTL: 5 * time.Minute})
}

// Options read with a default of the store's own, in another package.
func challenge(s *kvstore.LifeStore, id, nonce string) error {
	return s.Put("challenge:"+id, nonce, &kvstore.WriteOpts{TTL: 30 * time.Second}) // want `ExpirationTTL 30 .* is below KV's 60-second minimum`
}

// Quiet: the store's default, and a lifetime KV takes.
func challengeLong(s *kvstore.LifeStore, id, nonce string) error {
	if err := s.Put("challenge:"+id, nonce, nil); err != nil {
		return err
	}
	return s.Put("challenge:"+id, nonce, &kvstore.WriteOpts{TTL: 10 * time.Minute})
}
