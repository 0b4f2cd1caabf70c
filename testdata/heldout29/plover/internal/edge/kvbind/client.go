//go:build js && wasm

// Package kvbind adapts the Workers KV binding exposed by syumai/workers to
// the shapes the worker's services use: buckets that carry a key prefix and
// a default lifetime, JSON helpers and streamed values.
package kvbind

import (
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// jsNull is how syscall/js renders a JavaScript null as a Go string, which
// is what the binding's get resolves to for a key that does not exist.
const jsNull = "<null>"

// Missing reports whether a string returned by the binding's get stands for
// a key that does not exist.
func Missing(v string) bool { return v == jsNull }

// PutOpts controls how long a written value lives. A nil *PutOpts means
// "keep forever".
type PutOpts struct {
	TTL      time.Duration
	ExpireAt time.Time
}

func (o *PutOpts) ttl() time.Duration {
	if o == nil {
		return 0
	}
	return o.TTL
}

func (o *PutOpts) expireAt() time.Time {
	if o == nil {
		return time.Time{}
	}
	return o.ExpireAt
}

// sdk converts to the binding's options, or nil when there is nothing to set.
func (o *PutOpts) sdk() *cloudflare.KVNamespacePutOptions {
	var p cloudflare.KVNamespacePutOptions
	if d := o.ttl(); d > 0 {
		p.ExpirationTTL = int(d / time.Second)
	}
	if t := o.expireAt(); !t.IsZero() {
		p.Expiration = int(t.Unix())
	}
	if p == (cloudflare.KVNamespacePutOptions{}) {
		return nil
	}
	return &p
}

// Client wraps one KV binding.
type Client struct {
	ns       *cloudflare.KVNamespace
	cacheTTL int
}

// Open binds to the namespace named binding in wrangler.toml. Reads are
// cached at the edge for cacheTTL (0 for the runtime default).
func Open(binding string, cacheTTL time.Duration) (*Client, error) {
	ns, err := cloudflare.NewKVNamespace(binding)
	if err != nil {
		return nil, fmt.Errorf("kvbind: open %s: %w", binding, err)
	}
	return &Client{ns: ns, cacheTTL: int(cacheTTL.Seconds())}, nil
}

// Default is the league namespace, opened once per isolate.
var Default = sync.OnceValues(func() (*Client, error) {
	return Open("LEAGUE", 2*time.Minute)
})

// Binding exposes the underlying namespace for code that needs the raw API.
func (c *Client) Binding() *cloudflare.KVNamespace { return c.ns }

func (c *Client) getOpts() *cloudflare.KVNamespaceGetOptions {
	if c.cacheTTL == 0 {
		return nil
	}
	return &cloudflare.KVNamespaceGetOptions{CacheTTL: c.cacheTTL}
}

// Raw returns exactly what the binding returned.
func (c *Client) Raw(key string) (string, error) {
	return c.ns.GetString(key, c.getOpts())
}

// Lookup returns the value stored at key and whether it exists.
func (c *Client) Lookup(key string) (string, bool, error) {
	v, err := c.ns.GetString(key, c.getOpts())
	if err != nil {
		return "", false, fmt.Errorf("kv get %q: %w", key, err)
	}
	if v == jsNull {
		return "", false, nil
	}
	return v, true, nil
}

// Put writes value at key.
func (c *Client) Put(key, value string, opts *PutOpts) error {
	if err := c.ns.PutString(key, value, opts.sdk()); err != nil {
		return fmt.Errorf("kv put %q: %w", key, err)
	}
	return nil
}

// Delete removes key.
func (c *Client) Delete(key string) error {
	if err := c.ns.Delete(key); err != nil {
		return fmt.Errorf("kv delete %q: %w", key, err)
	}
	return nil
}

// Page returns one page of keys under prefix.
func (c *Client) Page(prefix, cursor string, limit int) (*cloudflare.KVNamespaceListResult, error) {
	return c.ns.List(&cloudflare.KVNamespaceListOptions{
		Prefix: prefix,
		Cursor: cursor,
		Limit:  limit,
	})
}

// Stream returns the value at key as a stream.
func (c *Client) Stream(key string) (io.Reader, error) {
	return c.ns.GetReader(key, c.getOpts())
}

// PutStream writes everything r yields at key.
func (c *Client) PutStream(key string, r io.Reader, opts *PutOpts) error {
	if err := c.ns.PutReader(key, r, opts.sdk()); err != nil {
		return fmt.Errorf("kv put stream %q: %w", key, err)
	}
	return nil
}
