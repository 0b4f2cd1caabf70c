//go:build js && wasm

// Package dobj talks to the gateway's Durable Objects.
package dobj

import (
	"context"
	"fmt"
	"net/http"

	"github.com/syumai/workers/cloudflare"
)

// Limiter is an exact per-tenant limiter: one Durable Object per tenant
// serialises every hit, so there is no read-modify-write window.
type Limiter struct {
	ns *cloudflare.DurableObjectNamespace
}

func NewLimiter(binding string) (*Limiter, error) {
	ns, err := cloudflare.NewDurableObjectNamespace(binding)
	if err != nil {
		return nil, err
	}
	return &Limiter{ns: ns}, nil
}

// Allow records one hit for tenant and reports whether it is within budget.
func (l *Limiter) Allow(ctx context.Context, tenant string) (bool, error) {
	stub, err := l.ns.Get(l.ns.IdFromName(tenant))
	if err != nil {
		return false, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://limiter.internal/hit", nil)
	if err != nil {
		return false, err
	}
	resp, err := stub.Fetch(req)
	if err != nil {
		return false, fmt.Errorf("dobj: limiter: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		return true, nil
	case http.StatusTooManyRequests:
		return false, nil
	default:
		return false, fmt.Errorf("dobj: limiter status %d", resp.StatusCode)
	}
}
