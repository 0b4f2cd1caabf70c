// Package storage picks the storage implementation named in the config.
package storage

import (
	"fmt"

	"example.com/plover/internal/backend/cfkv"
	"example.com/plover/internal/backend/config"
	"example.com/plover/internal/backend/memstore"
	"example.com/plover/internal/backend/store"
)

// Open returns the Provider for cfg.Backend.
func Open(cfg *config.Config) (store.Provider, error) {
	switch cfg.Backend {
	case "kv":
		return cfkv.New(cfg.AccountID), nil
	case "memory":
		return memstore.New(), nil
	default:
		return nil, fmt.Errorf("storage: unknown backend %q", cfg.Backend)
	}
}
