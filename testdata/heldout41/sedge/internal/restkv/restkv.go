// Package restkv is the back office's access to the worker's KV namespaces.
// The driver is chosen by name at start-up: "cloudflare" talks to the REST
// API, "memory" keeps everything in process for local runs.
package restkv

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"sedge/internal/result"
)

// WriteOpts are the optional parts of a write.
type WriteOpts struct {
	TTL      time.Duration
	ExpireAt time.Time
	Metadata any
}

// Driver reads and writes single values.
type Driver interface {
	Get(ctx context.Context, ns, key string) ([]byte, error)
	Put(ctx context.Context, ns, key string, value []byte, o WriteOpts) error
	Delete(ctx context.Context, ns, key string) error
}

// Settings configure the cloudflare driver.
type Settings struct {
	AccountID string
	APIToken  string
}

// Open returns the driver called name.
func Open(name string, s Settings) (Driver, error) {
	switch name {
	case "cloudflare":
		if s.AccountID == "" || s.APIToken == "" {
			return nil, errors.New("restkv: account and token required")
		}
		return &restDriver{client: cloudflare.NewClient(option.WithAPIToken(s.APIToken)), account: s.AccountID}, nil
	case "memory":
		return &memDriver{data: make(map[string][]byte)}, nil
	default:
		return nil, fmt.Errorf("restkv: unknown driver %q", name)
	}
}

// IsNotFound reports whether err means the key does not exist.
func IsNotFound(err error) bool {
	var apiErr *cloudflare.Error
	if errors.As(err, &apiErr) {
		return apiErr.StatusCode == http.StatusNotFound
	}
	var nf notFound
	return errors.As(err, &nf)
}

type restDriver struct {
	client  *cloudflare.Client
	account string
}

func (d *restDriver) Get(ctx context.Context, ns, key string) ([]byte, error) {
	res, err := d.client.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(d.account),
	})
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

func (d *restDriver) Put(ctx context.Context, ns, key string, value []byte, o WriteOpts) error {
	p := kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(d.account),
		Value:     cloudflare.F(string(value)),
	}
	if o.TTL > 0 {
		p.ExpirationTTL = cloudflare.F(o.TTL.Seconds())
	}
	if !o.ExpireAt.IsZero() {
		p.Expiration = cloudflare.F(float64(o.ExpireAt.Unix()))
	}
	if o.Metadata != nil {
		p.Metadata = cloudflare.F[any](o.Metadata)
	}
	_, err := d.client.KV.Namespaces.Values.Update(ctx, ns, key, p)
	return err
}

func (d *restDriver) Delete(ctx context.Context, ns, key string) error {
	_, err := d.client.KV.Namespaces.Values.Delete(ctx, ns, key, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(d.account),
	})
	return err
}

type notFound struct{ key string }

func (e notFound) Error() string { return "restkv: " + e.key + " not found" }

// memDriver is the local stand-in; it ignores lifetimes.
type memDriver struct {
	mu   sync.Mutex
	data map[string][]byte
}

func (m *memDriver) Get(_ context.Context, ns, key string) ([]byte, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	v, ok := m.data[ns+"/"+key]
	if !ok {
		return nil, notFound{key}
	}
	return append([]byte(nil), v...), nil
}

func (m *memDriver) Put(_ context.Context, ns, key string, value []byte, _ WriteOpts) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.data[ns+"/"+key] = append([]byte(nil), value...)
	return nil
}

func (m *memDriver) Delete(_ context.Context, ns, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.data, ns+"/"+key)
	return nil
}

// Bucket is a prefixed view of one namespace. Scope and In return copies.
type Bucket struct {
	drv    Driver
	ns     string
	prefix string
}

// NewBucket returns the root view of namespace ns.
func NewBucket(drv Driver, ns, prefix string) Bucket {
	return Bucket{drv: drv, ns: ns, prefix: prefix}
}

// Scope narrows b under scope.
func (b Bucket) Scope(scope string) Bucket {
	b.prefix += scope + ":"
	return b
}

// In returns b over another namespace.
func (b Bucket) In(ns string) Bucket {
	b.ns = ns
	return b
}

// Key returns the full key of name.
func (b Bucket) Key(name string) string { return b.prefix + name }

// Get reads name; a missing key is an error (see IsNotFound).
func (b Bucket) Get(ctx context.Context, name string) ([]byte, error) {
	return b.drv.Get(ctx, b.ns, b.Key(name))
}

// Lookup reads name; a missing key is None.
func (b Bucket) Lookup(ctx context.Context, name string) (result.Option[[]byte], error) {
	v, err := b.drv.Get(ctx, b.ns, b.Key(name))
	if IsNotFound(err) {
		return result.None[[]byte](), nil
	}
	if err != nil {
		return result.None[[]byte](), err
	}
	return result.Some(v), nil
}

// Put writes name.
func (b Bucket) Put(ctx context.Context, name string, value []byte, o WriteOpts) error {
	return b.drv.Put(ctx, b.ns, b.Key(name), value, o)
}

// PutFor writes name with a lifetime of at least a minute.
func (b Bucket) PutFor(ctx context.Context, name string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return b.drv.Put(ctx, b.ns, b.Key(name), value, WriteOpts{TTL: ttl})
}

// Delete removes name.
func (b Bucket) Delete(ctx context.Context, name string) error {
	return b.drv.Delete(ctx, b.ns, b.Key(name))
}
