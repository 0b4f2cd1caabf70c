//go:build js && wasm

package edgekv

import (
	"fmt"

	"github.com/syumai/workers/cloudflare/kv"

	"kittiwake/internal/config"
)

// The namespaces bound to the Worker. Open sets them once at startup.
var (
	Game     *kv.Namespace
	Sessions *kv.Namespace
	CacheTTL int
)

// Open binds the namespaces named in cfg.
func Open(cfg config.KVConfig) error {
	var err error
	if Game, err = kv.NewNamespace(cfg.GameBinding); err != nil {
		return fmt.Errorf("edgekv: game namespace: %w", err)
	}
	if Sessions, err = kv.NewNamespace(cfg.SessionBinding); err != nil {
		return fmt.Errorf("edgekv: session namespace: %w", err)
	}
	CacheTTL = cfg.CacheTTL
	return nil
}

// Flag reports whether a feature flag is switched on.
func Flag(name string) bool {
	v, err := Game.GetString("flag:"+name, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return false
	}
	return v == "on"
}
