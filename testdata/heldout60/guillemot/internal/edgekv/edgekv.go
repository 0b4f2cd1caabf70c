//go:build js && wasm

// Package edgekv is the Worker's traced access to its KV bindings.
package edgekv

import (
	"context"

	"github.com/syumai/workers/cloudflare"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
)

// Null is how syumai/workers renders the null that KV returns for a
// missing key.
const Null = "<null>"

// minCacheTTL is the smallest cacheTtl the runtime accepts, in seconds.
const minCacheTTL = 30

var tracer = otel.Tracer("github.com/forumworks/guillemot/internal/edgekv")

// Bucket is one KV binding.
type Bucket struct {
	*cloudflare.KVNamespace
	binding string
}

// Open returns the binding named in wrangler.toml. It must be called while a
// request or scheduled event is being handled.
func Open(binding string) (*Bucket, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Bucket{KVNamespace: ns, binding: binding}, nil
}

// Text returns the value of key and whether the key exists. cacheTTL is the
// edge cache lifetime in seconds; zero keeps the runtime's default.
func (b *Bucket) Text(ctx context.Context, key string, cacheTTL int) (string, bool, error) {
	_, span := tracer.Start(ctx, "edgekv.get")
	defer span.End()
	span.SetAttributes(attribute.String("kv.binding", b.binding), attribute.String("kv.key", key))
	var opts *cloudflare.KVNamespaceGetOptions
	if cacheTTL > 0 {
		opts = &cloudflare.KVNamespaceGetOptions{CacheTTL: max(cacheTTL, minCacheTTL)}
	}
	v, err := b.GetString(key, opts)
	if err != nil {
		span.RecordError(err)
		return "", false, err
	}
	if v == Null {
		return "", false, nil
	}
	return v, true, nil
}
