// Package app is the composition root shared by atlasd and atlasctl.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"example.com/atlas/internal/analytics"
	"example.com/atlas/internal/apikeys"
	"example.com/atlas/internal/audit"
	"example.com/atlas/internal/builds"
	"example.com/atlas/internal/cfkv"
	"example.com/atlas/internal/config"
	"example.com/atlas/internal/previews"
	"example.com/atlas/internal/redirects"
	"example.com/atlas/internal/routing"
	"example.com/atlas/internal/sessions"
	"example.com/atlas/internal/storage"
	"example.com/atlas/internal/storage/kvstore"
)

// ControlPlane answers questions KV does not hold the truth for.
type ControlPlane interface {
	SiteForHost(ctx context.Context, host string) (string, error)
}

// Build wires every service and registers it under its well-known name.
func Build(cfg *config.Config, cp ControlPlane, log *slog.Logger) (*Registry, error) {
	client, err := cfkv.ProvideClient(cfg)
	if err != nil {
		return nil, err
	}
	ns, err := cfkv.ProvideNamespaces(cfg, client)
	if err != nil {
		return nil, err
	}
	stores := map[string]cfkv.Namespace{
		"kv.routing":   ns.Routing,
		"kv.content":   ns.Content,
		"kv.sessions":  ns.Sessions,
		"kv.analytics": ns.Analytics,
	}
	deps := NewRegistry()
	deps.Register("config", cfg)
	deps.Register("namespaces", ns)
	for name, n := range stores {
		s, err := kvstore.Provide(n)
		if err != nil {
			return nil, fmt.Errorf("app: %s: %w", name, err)
		}
		deps.Register(name, s)
	}
	store := func(name string) storage.Store {
		s, _ := deps.Lookup(name).(storage.Store)
		return s
	}

	rt := routing.New(store("kv.routing"), cfg.Storage.ListPageSize, cfg.Storage.MaxListPages)
	if cp != nil {
		rt.OnMiss = cp.SiteForHost
	} else {
		rt.OnMiss = func(context.Context, string) (string, error) {
			return "", errors.New("app: no control plane configured")
		}
	}
	auditLog := audit.New(store("kv.content"))

	deps.Register("routing", rt)
	deps.Register("audit", auditLog)
	deps.Register("redirects", redirects.New(store("kv.content"), ns.Content))
	deps.Register("builds", builds.NewPublisher(ns.Content, store("kv.content"), auditLog, cfg.Storage.Manifests))
	deps.Register("previews", previews.New(store("kv.content"), ns.Content, cfg.Storage.Previews))
	deps.Register("sessions", sessions.NewManager(store("kv.sessions"), cfg.Storage.Sessions))
	deps.Register("apikeys", apikeys.New(store("kv.sessions"), ns.Sessions, cfg.APIKeys))
	deps.Register("analytics", analytics.NewCollector(store("kv.analytics"), cfg.Analytics, log))
	return deps, nil
}
