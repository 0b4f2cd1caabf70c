//go:build js && wasm

// Package edge is the Cloudflare Worker in front of the registration portal.
// It answers seat-availability lookups and checks registration PINs at the
// edge, reading the KV namespaces the backend fills.
package edge

import (
	"database/sql"
	"time"

	"github.com/samber/do"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/d1"
)

// Bindings names the Worker's bindings from wrangler.toml.
const (
	SeatsBinding  = "SEATS"
	PinsBinding   = "PINS"
	ConfigBinding = "TERMS"
	DBBinding     = "REGISTRAR_DB"
)

func kvProvider(binding string) do.Provider[*cloudflare.KVNamespace] {
	return func(*do.Injector) (*cloudflare.KVNamespace, error) {
		return cloudflare.NewKVNamespace(binding)
	}
}

// NewInjector registers the Worker's services. Namespaces are opened lazily
// on first use, inside a request, where the bindings are available.
func NewInjector() *do.Injector {
	i := do.New()
	do.ProvideNamed(i, "seats-kv", kvProvider(SeatsBinding))
	do.ProvideNamed(i, "pins-kv", kvProvider(PinsBinding))
	do.ProvideNamed(i, "config-kv", kvProvider(ConfigBinding))
	do.Provide(i, func(*do.Injector) (*sql.DB, error) {
		c, err := d1.OpenConnector(DBBinding)
		if err != nil {
			return nil, err
		}
		return sql.OpenDB(c), nil
	})
	do.ProvideNamedValue(i, "hold-for", 10*time.Minute)
	do.ProvideNamedValue(i, "config-cache-ttl", 600)
	do.ProvideNamedValue(i, "max-list-pages", 20)
	do.Provide(i, NewAvailability)
	do.Provide(i, NewPINGate)
	do.Provide(i, NewSectionIndex)
	return i
}
