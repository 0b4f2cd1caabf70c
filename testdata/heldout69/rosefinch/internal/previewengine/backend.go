// Package previewengine is a Vault secrets engine that issues short-lived
// access tokens for preview environments, bootstrap tokens for new
// environments, preview hostnames and their DNS answers. Configuration and
// roles live in Vault storage; everything the edge must read lives in KV.
package previewengine

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/hashicorp/vault/sdk/framework"
	"github.com/hashicorp/vault/sdk/logical"

	"github.com/rosefinch-dev/rosefinch/internal/kvstore"
)

const backendHelp = `
The rosefinch secrets engine issues access tokens and bootstrap tokens for
preview environments and publishes preview hostnames to the edge.
`

// Factory returns a configured backend.
func Factory(ctx context.Context, conf *logical.BackendConfig) (logical.Backend, error) {
	b := newBackend()
	if err := b.Setup(ctx, conf); err != nil {
		return nil, err
	}
	return b, nil
}

type backend struct {
	*framework.Backend

	mu    sync.RWMutex
	ns    *kvstore.Namespace
	stop  chan struct{}
	audit chan auditEvent
}

func newBackend() *backend {
	b := &backend{
		stop:  make(chan struct{}),
		audit: make(chan auditEvent, 256),
	}
	b.Backend = &framework.Backend{
		Help:        strings.TrimSpace(backendHelp),
		BackendType: logical.TypeLogical,
		PathsSpecial: &logical.Paths{
			SealWrapStorage: []string{"config"},
		},
		Paths: framework.PathAppend(
			[]*framework.Path{pathConfig(b)},
			pathRoles(b),
			[]*framework.Path{pathCreds(b)},
			pathBootstrap(b),
			pathQuota(b),
			pathHostnames(b),
			pathAudit(b),
		),
		Secrets: []*framework.Secret{
			secretAccessToken(b),
		},
		PeriodicFunc: b.periodic,
		Clean:        b.clean,
		Invalidate:   b.invalidate,
	}
	go b.auditWriter()
	return b
}

// kv returns the KV namespace named by the stored configuration, opening it
// on first use.
func (b *backend) kv(ctx context.Context, s logical.Storage) (*kvstore.Namespace, *engineConfig, error) {
	cfg, err := readConfig(ctx, s)
	if err != nil {
		return nil, nil, err
	}
	if cfg == nil {
		return nil, nil, fmt.Errorf("engine is not configured; write to config first")
	}
	b.mu.RLock()
	ns := b.ns
	b.mu.RUnlock()
	if ns != nil {
		return ns, cfg, nil
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.ns == nil {
		b.ns = kvstore.Open(cfg.APIToken, cfg.AccountID, cfg.NamespaceID)
	}
	return b.ns, cfg, nil
}

func (b *backend) invalidate(_ context.Context, key string) {
	if key == "config" {
		b.mu.Lock()
		b.ns = nil
		b.mu.Unlock()
	}
}

func (b *backend) clean(_ context.Context) {
	close(b.stop)
}
