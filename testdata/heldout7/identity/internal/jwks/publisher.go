// Package jwks publishes the public signing keys to KV, where the edge
// Worker serves /.well-known/jwks.json from.
package jwks

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"example.com/identity/internal/store"
)

// JWK is a public key in JWK form.
type JWK struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	Crv string `json:"crv,omitempty"`
	X   string `json:"x,omitempty"`
	Y   string `json:"y,omitempty"`
}

// Set is a JWK set document.
type Set struct {
	Keys []JWK `json:"keys"`
}

// KeySource is the signing-key store (the HSM-backed key service). It is the
// source of truth; KV only holds the published copy.
type KeySource interface {
	Active(ctx context.Context) ([]JWK, error)
}

type options struct {
	key    string
	perKid bool
}

// Option configures a Publisher.
type Option func(*options)

// WithKey overrides the KV key of the document.
func WithKey(k string) Option { return func(o *options) { o.key = k } }

// WithPerKidEntries also writes each key under jwks:kid:<kid>.
func WithPerKidEntries() Option { return func(o *options) { o.perKid = true } }

// Publisher writes the JWKS document.
type Publisher struct {
	st   store.Store
	src  KeySource
	opts options
}

// NewPublisher returns a publisher writing to jwks:current by default.
func NewPublisher(st store.Store, src KeySource, opts ...Option) *Publisher {
	p := &Publisher{st: st, src: src, opts: options{key: "jwks:current"}}
	for _, o := range opts {
		o(&p.opts)
	}
	return p
}

func encode(set Set) ([]byte, error) {
	slices.SortFunc(set.Keys, func(a, b JWK) int { return strings.Compare(a.Kid, b.Kid) })
	return json.Marshal(set)
}

// Publish writes the active keys. The scheduler calls it every six hours and
// after each rotation.
func (p *Publisher) Publish(ctx context.Context) error {
	keys, err := p.src.Active(ctx)
	if err != nil {
		return err
	}
	if len(keys) == 0 {
		return fmt.Errorf("jwks: refusing to publish an empty key set")
	}
	if p.opts.perKid {
		for _, k := range keys {
			b, err := json.Marshal(k)
			if err != nil {
				return err
			}
			if err := p.st.Put(ctx, "jwks:kid:"+k.Kid, b, store.WithTTL(7*24*time.Hour)); err != nil {
				return err
			}
		}
	}
	b, err := encode(Set{Keys: keys})
	if err != nil {
		return err
	}
	return p.st.Put(ctx, p.opts.key, b, store.WithMetadata(map[string]any{"count": len(keys), "published": time.Now().Unix()}))
}

// Retire removes keys from the published set one at a time, so that a
// failure part way leaves the document consistent with what was retired.
func (p *Publisher) Retire(ctx context.Context, kids []string) error {
	keys, err := p.src.Active(ctx)
	if err != nil {
		return err
	}
	set := Set{Keys: keys}
	for _, kid := range kids {
		set.Keys = slices.DeleteFunc(set.Keys, func(k JWK) bool { return k.Kid == kid })
		b, err := encode(set)
		if err != nil {
			return err
		}
		if err := p.st.Put(ctx, p.opts.key, b); err != nil { // EXPECT kvhotkey
			return fmt.Errorf("jwks: retire %s: %w", kid, err)
		}
	}
	return nil
}
