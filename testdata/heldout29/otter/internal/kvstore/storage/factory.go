// Package storage picks the storage implementation named in the
// configuration.
package storage

import (
	"fmt"
	"log/slog"
	"sync"

	"example.com/otter/internal/config"
	"example.com/otter/internal/kvport"
	"example.com/otter/internal/kvport/memkv"
	"example.com/otter/internal/kvstore/cfkv"
)

// Backend is what the factory returns: an opener for buckets and, for
// the KV backend, the concrete client for the few features that need it.
type Backend struct {
	kvport.Opener
	KV *cfkv.Client // nil for the memory backend
}

var cfClient = sync.OnceValues(func() (*cfkv.Client, error) {
	cfg, err := config.Load()
	if err != nil {
		return nil, err
	}
	return cfkv.New(cfkv.Config{
		APIToken:         cfg.APIToken,
		AccountID:        cfg.AccountID,
		Namespaces:       cfg.Namespaces,
		DefaultNamespace: cfg.Namespaces["default"],
		Logger:           slog.Default(),
	})
})

func Open(cfg *config.Config) (Backend, error) {
	switch cfg.Backend {
	case "kv":
		c, err := cfClient()
		if err != nil {
			return Backend{}, err
		}
		return Backend{Opener: c, KV: c}, nil
	case "memory":
		return Backend{Opener: memkv.NewOpener()}, nil
	default:
		return Backend{}, fmt.Errorf("storage: unknown backend %q", cfg.Backend)
	}
}
