// Package backend picks the storage implementation named in the
// configuration.
package backend

import (
	"fmt"
	"log/slog"

	"example.com/heron/internal/config"
	"example.com/heron/internal/platform/cfkv"
	"example.com/heron/internal/platform/memkv"
	"example.com/heron/internal/ports"
)

// Open returns the ports.Backend selected by cfg.Backend.
func Open(cfg *config.Config) (ports.Backend, error) {
	switch cfg.Backend {
	case "kv":
		slog.Info("storage: Workers KV via REST", "account", cfg.AccountID)
		return cfkv.New(cfg.AccountID), nil
	case "memory", "":
		slog.Warn("storage: in-memory backend, data is lost on restart")
		return memkv.New(), nil
	default:
		return nil, fmt.Errorf("backend: unknown storage backend %q", cfg.Backend)
	}
}
