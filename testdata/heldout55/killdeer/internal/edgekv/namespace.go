//go:build js && wasm

// Package edgekv is the Worker-side adapter over Workers KV bindings.
package edgekv

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/killdeer-games/killdeer/internal/config"
	"github.com/killdeer-games/killdeer/internal/keys"
)

// KV is the SDK namespace type, re-exported so domain packages need not
// import the SDK for option structs.
type (
	KV          = kv.Namespace
	PutOptions  = kv.PutOptions
	GetOptions  = kv.GetOptions
	ListOptions = kv.ListOptions
	ListResult  = kv.ListResult
)

// Missing is what GetString returns for a key that does not exist: the
// binding resolves to a JS null, which syscall/js renders as "<null>".
const Missing = "<null>"

// IsMissing reports whether v is the rendering of a missing key.
func IsMissing(v string) bool { return v == Missing }

// ErrNotFound is returned by the typed getters for a missing key.
var ErrNotFound = errors.New("edgekv: not found")

// Namespace is a bound KV namespace plus the key scheme used inside it. The
// SDK methods (GetString, PutString, Delete, List) are promoted and may be
// called directly with keys from Key.
type Namespace struct {
	*kv.Namespace
	scheme keys.KeyScheme
	name   string
}

// Open binds the namespace variable from wrangler.toml.
func Open(binding string) (*Namespace, error) {
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("edgekv: bind %s: %w", binding, err)
	}
	cfg := config.Load()
	return &Namespace{Namespace: ns, scheme: keys.For(cfg.KeyScheme, cfg.Prefix), name: binding}, nil
}

// Key returns the key of the record kind/id under the configured scheme.
func (n *Namespace) Key(kind, id string) string { return n.scheme.Key(kind, id) }

// Prefix returns the list prefix for a record kind.
func (n *Namespace) Prefix(kind string) string { return n.scheme.Prefix(kind) }

// envelope is the stored form of every JSON value: a schema version and the
// payload kept raw so old readers can skip versions they do not know.
type envelope struct {
	V    int             `json:"v"`
	Data json.RawMessage `json:"d"`
}

const envelopeVersion = 2

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// Encoder turns values into stored strings.
type Encoder interface {
	Encode(v any) (string, error)
	Decode(s string, dst any) error
}

type plainJSON struct{}

func (plainJSON) Encode(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}

func (plainJSON) Decode(s string, dst any) error { return json.Unmarshal([]byte(s), dst) }

type enveloped struct{ version int }

func (e enveloped) Encode(v any) (string, error) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	data, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	if err := json.NewEncoder(buf).Encode(envelope{V: e.version, Data: data}); err != nil {
		return "", err
	}
	return buf.String(), nil
}

func (e enveloped) Decode(s string, dst any) error {
	var env envelope
	if err := json.Unmarshal([]byte(s), &env); err != nil || env.Data == nil {
		// Values written before envelopes were introduced.
		return json.Unmarshal([]byte(s), dst)
	}
	if env.V > e.version {
		return fmt.Errorf("edgekv: value version %d is newer than %d", env.V, e.version)
	}
	return json.Unmarshal(env.Data, dst)
}

var encoders = map[string]Encoder{
	"json":     plainJSON{},
	"envelope": enveloped{version: envelopeVersion},
}

// Codec returns the encoder selected in the current configuration.
func Codec() Encoder {
	if e, ok := encoders[config.Load().Encoder]; ok {
		return e
	}
	return enveloped{version: envelopeVersion}
}

// GetJSON decodes the value at key into dst. It returns ErrNotFound for a
// missing key.
func (n *Namespace) GetJSON(key string, dst any) error {
	raw, err := n.GetString(key, nil)
	if err != nil {
		return err
	}
	if IsMissing(raw) {
		return ErrNotFound
	}
	return Codec().Decode(raw, dst)
}

// PutJSON encodes v and stores it under key for ttl.
func (n *Namespace) PutJSON(key string, v any, ttl time.Duration) error {
	s, err := Codec().Encode(v)
	if err != nil {
		return err
	}
	return n.PutString(key, s, &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())})
}

// PutCached stores a cache entry. Lifetimes under a minute are raised to a
// minute, the shortest KV keeps.
func (n *Namespace) PutCached(key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.PutString(key, value, &kv.PutOptions{ExpirationTTL: int(ttl / time.Second)})
}

// Update reads the value at key, passes it to fn (nil when missing) and
// writes back what fn returns.
func (n *Namespace) Update(key string, ttl time.Duration, fn func(cur []byte) ([]byte, error)) error {
	raw, err := n.GetString(key, nil)
	if err != nil {
		return err
	}
	var cur []byte
	if !IsMissing(raw) {
		cur = []byte(raw)
	}
	next, err := fn(cur)
	if err != nil {
		return err
	}
	opts := &kv.PutOptions{}
	if ttl > 0 {
		opts.ExpirationTTL = int(max(ttl, time.Minute).Seconds())
	}
	return n.PutString(key, string(next), opts) // EXPECT kvrace
}

// Remove deletes key.
func (n *Namespace) Remove(key string) error { return n.Delete(key) }
