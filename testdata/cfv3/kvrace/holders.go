package kvrace

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"kvlint.test/cfv3/bulkkv"
)

type domainClaim struct {
	TenantID string
	By       string
}

// The refusal names the holder, decoded from what the get found; the
// claim is written when the name was free.
func ClaimDomain(ctx context.Context, s bulkkv.Space, domain, tenantID, by string) error {
	raw, err := s.Get(ctx, "domain:"+domain)
	if err == nil {
		var cur domainClaim
		_ = json.Unmarshal([]byte(raw), &cur)
		return fmt.Errorf("%s is already assigned to tenant %s", domain, cur.TenantID)
	}
	if !errors.Is(err, bulkkv.ErrNotFound) {
		return err
	}
	val, _ := json.Marshal(domainClaim{TenantID: tenantID, By: by})
	return s.WriteExpiring(ctx, "domain:"+domain, string(val), 365*24*time.Hour) // want `check-then-create on one KV key`
}

// Quiet: a read-through cache hands back what it decoded.
func CachedDomain(ctx context.Context, s bulkkv.Space, domain string, load func(string) (domainClaim, error)) (domainClaim, error) {
	raw, err := s.Get(ctx, "domain-cache:"+domain)
	if err == nil {
		var cur domainClaim
		if json.Unmarshal([]byte(raw), &cur) == nil {
			return cur, nil
		}
	}
	c, err := load(domain)
	if err != nil {
		return c, err
	}
	val, _ := json.Marshal(c)
	return c, s.WriteExpiring(ctx, "domain-cache:"+domain, string(val), time.Hour)
}
