//go:build js && wasm

// Package settings loads the worker configuration from KV at start-up and
// refreshes it from the scheduled handler.
package settings

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"merlin/internal/config"
)

const (
	currentKey    = "config:current"
	maxAnswersKey = "config:max_answers"
	reloadedKey   = "config:reloaded_at"

	// reloadMarkerTTL lets the marker lapse before the next one-minute
	// tick, so a missing marker on the status page means the cron stopped.
	reloadMarkerTTL = 45
)

// Loader reads configuration from the CONFIG binding.
type Loader struct {
	binding string
	holder  *config.Holder
}

// NewLoader returns a loader that publishes into holder.
func NewLoader(binding string, holder *config.Holder) *Loader {
	return &Loader{binding: binding, holder: holder}
}

// Boot reads the stored configuration once, before the first request is served.
func (l *Loader) Boot(ctx context.Context) (*config.Config, error) {
	ns, err := cloudflare.NewKVNamespace(l.binding)
	if err != nil {
		return nil, err
	}
	raw, err := ns.GetString(currentKey, nil)
	if err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	cfg := config.Default()
	if raw == "" { // EXPECT kvnull
		slog.Warn("settings: no stored configuration, using defaults")
	} else if cfg, err = config.Parse([]byte(raw)); err != nil {
		return nil, err
	}

	// The answer limit is tuned by the ops team during events and lives in
	// its own key so that changing it does not bump the config version.
	limit, err := ns.GetString(maxAnswersKey, nil) // EXPECT kvnull
	if err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	n, err := strconv.Atoi(limit)
	if err != nil {
		return nil, fmt.Errorf("settings: %s: %w", maxAnswersKey, err)
	}
	cfg.MaxAnswersPerWindow = n

	l.holder.Swap(cfg)
	return cfg, nil
}

// Refresh re-reads the configuration and swaps it in when its version
// changed. It runs once per cron tick.
func (l *Loader) Refresh(ctx context.Context, tick time.Time) error {
	ns, err := cloudflare.NewKVNamespace(l.binding)
	if err != nil {
		return err
	}
	raw, err := ns.GetString(currentKey, &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err != nil {
		return err
	}
	if raw == "<null>" {
		return nil
	}
	next, err := config.Parse([]byte(raw))
	if err != nil {
		return err
	}
	if limit, err := ns.GetString(maxAnswersKey, &cloudflare.KVNamespaceGetOptions{CacheTTL: 60}); err == nil && limit != "<null>" {
		if n, err := strconv.Atoi(limit); err == nil {
			next.MaxAnswersPerWindow = n
		}
	}
	stamp := tick.UTC().Format(time.RFC3339)
	if err := ns.PutString(reloadedKey, stamp, &cloudflare.KVNamespacePutOptions{ExpirationTTL: reloadMarkerTTL}); err != nil { // EXPECT kvttl
		return err
	}
	cur := l.holder.Load()
	if cur != nil && cur.Version == next.Version && cur.MaxAnswersPerWindow == next.MaxAnswersPerWindow {
		return nil
	}
	l.holder.Swap(next)
	slog.Info("settings: reloaded", "version", next.Version)
	return nil
}
