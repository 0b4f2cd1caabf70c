// Package genrepo is a generic repository whose methods build their put
// options in a helper method of the generic type.
package genrepo

import (
	"encoding/json"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type settings struct {
	ttl time.Duration
}

type Option func(*settings)

func WithTTL(d time.Duration) Option { return func(s *settings) { s.ttl = d } }

type Repo[T any] struct {
	ns     *kv.Namespace
	prefix string
	set    settings
}

func New[T any](ns *kv.Namespace, prefix string, opts ...Option) *Repo[T] {
	set := settings{ttl: time.Hour}
	for _, o := range opts {
		o(&set)
	}
	return &Repo[T]{ns: ns, prefix: prefix, set: set}
}

func (r *Repo[T]) putOptions() *kv.PutOptions {
	return &kv.PutOptions{ExpirationTTL: int(r.set.ttl.Seconds())}
}

func (r *Repo[T]) Put(id string, v T) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return r.ns.PutString(r.prefix+id, string(b), r.putOptions())
}
