//go:build js && wasm

// Package edgekv wraps the Worker's KV binding with tracing and the team's
// conventions (miss detection, TTL floor).
package edgekv

import (
	"context"
	"time"

	"github.com/syumai/workers/cloudflare"

	"wryneck/internal/opt"
	"wryneck/internal/tracing"
)

// missing is what GetString returns for an absent key: syscall/js renders a
// JS null as "<null>".
const missing = "<null>"

// Namespace is a KV binding.
type Namespace struct {
	*cloudflare.KVNamespace
	name string
}

// Open binds the namespace named in wrangler.toml.
func Open(binding string) (*Namespace, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Namespace{KVNamespace: ns, name: binding}, nil
}

// Text reads a value; ok is false when the key does not exist.
func (n *Namespace) Text(ctx context.Context, key string, cacheTTL *time.Duration) (v string, ok bool, err error) {
	_, end := tracing.Start(ctx, "kv.get", tracing.Str("ns", n.name), tracing.Str("key", key))
	defer end(&err)
	var o *cloudflare.KVNamespaceGetOptions
	if cacheTTL != nil {
		o = &cloudflare.KVNamespaceGetOptions{CacheTTL: max(opt.Seconds(*cacheTTL), 60)}
	}
	v, err = n.GetString(key, o)
	if err != nil || v == missing {
		return "", false, err
	}
	return v, true, nil
}

// Put writes a value that expires after ttl. KV rejects lifetimes under a
// minute, so shorter ones are raised to one minute.
func (n *Namespace) Put(ctx context.Context, key, value string, ttl time.Duration) (err error) {
	_, end := tracing.Start(ctx, "kv.put", tracing.Str("ns", n.name), tracing.Str("key", key))
	defer end(&err)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return n.PutString(key, value, &cloudflare.KVNamespacePutOptions{ExpirationTTL: opt.Seconds(ttl)})
}

// Forget deletes a key.
func (n *Namespace) Forget(ctx context.Context, key string) (err error) {
	_, end := tracing.Start(ctx, "kv.delete", tracing.Str("ns", n.name), tracing.Str("key", key))
	defer end(&err)
	return n.Delete(key)
}
