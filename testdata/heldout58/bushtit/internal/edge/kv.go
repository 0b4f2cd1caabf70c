//go:build js && wasm

// Package edge is the Cloudflare Worker that answers lobby lookups, queue
// status and login redirects close to players.
package edge

import (
	"errors"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// missing is what GetString returns for a key that does not exist: the JS
// null rendered by syscall/js.
const missing = "<null>"

var errMissing = errors.New("edge: key not found")

// Env holds the Worker's bindings.
type Env struct {
	Lobbies *cloudflare.KVNamespace
	Auth    *cloudflare.KVNamespace
	Backend string
}

// Bind resolves the KV bindings declared in wrangler.toml.
func Bind() (*Env, error) {
	lobbies, err := cloudflare.NewKVNamespace("LOBBIES")
	if err != nil {
		return nil, err
	}
	auth, err := cloudflare.NewKVNamespace("AUTH")
	if err != nil {
		return nil, err
	}
	return &Env{Lobbies: lobbies, Auth: auth, Backend: cloudflare.Getenv("BACKEND_URL")}, nil
}

// text reads a key, reporting a missing key as errMissing.
func text(ns *cloudflare.KVNamespace, key string, cacheFor time.Duration) (string, error) {
	var opts *cloudflare.KVNamespaceGetOptions
	if cacheFor > 0 {
		opts = &cloudflare.KVNamespaceGetOptions{CacheTTL: int(cacheFor.Seconds())}
	}
	v, err := ns.GetString(key, opts)
	if err != nil {
		return "", err
	}
	if v == missing {
		return "", errMissing
	}
	return v, nil
}

// store writes a key that expires after ttl.
func store(ns *cloudflare.KVNamespace, key, value string, ttl time.Duration) error {
	return ns.PutString(key, value, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(ttl.Seconds())})
}
