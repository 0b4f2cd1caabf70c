package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	cf4 "github.com/cloudflare/cloudflare-go/v4"
	kv4 "github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/ops/internal/config"
)

// TenantSettings is the per-tenant document the edge worker reads to decide
// what a tenant may use.
type TenantSettings struct {
	Plan         string            `json:"plan"`
	Features     []string          `json:"features"`
	CustomDomain string            `json:"custom_domain,omitempty"`
	Branding     map[string]string `json:"branding,omitempty"`
}

var planFeatures = map[string][]string{
	"free":       {"basic"},
	"team":       {"basic", "sso", "audit-log"},
	"enterprise": {"basic", "sso", "audit-log", "custom-domain", "sla"},
}

func (r *Runner) tenantSettings(ctx context.Context, key string) (*TenantSettings, error) {
	res, err := r.V4.KV.Namespaces.Values.Get(ctx, config.NamespaceEdge, key, kv4.NamespaceValueGetParams{
		AccountID: cf4.F(r.Account),
	})
	var apiErr *cf4.Error
	if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
		return &TenantSettings{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	var s TenantSettings
	if err := json.NewDecoder(res.Body).Decode(&s); err != nil {
		return nil, fmt.Errorf("decode %s: %w", key, err)
	}
	return &s, nil
}

// ApplyPlans pushes plan changes from the billing system into each tenant's
// settings document, a few tenants at a time.
func (r *Runner) ApplyPlans(ctx context.Context, changes map[string]string) error {
	var (
		wg   sync.WaitGroup
		sem  = make(chan struct{}, 8)
		mu   sync.Mutex
		errs []error
	)
	for tenant, plan := range changes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()

			key := "tenant-settings:" + tenant
			s, err := r.tenantSettings(ctx, key)
			if err == nil {
				s.Plan = plan
				s.Features = planFeatures[plan]
				var b []byte
				if b, err = json.Marshal(s); err == nil {
					_, err = r.V4.KV.Namespaces.Values.Update(ctx, config.NamespaceEdge, key, kv4.NamespaceValueUpdateParams{ // EXPECT kvrace
						AccountID: cf4.F(r.Account),
						Value:     cf4.F(string(b)),
					})
				}
			}
			if err != nil {
				mu.Lock()
				errs = append(errs, fmt.Errorf("tenant %s: %w", tenant, err))
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// RenameTenant moves a tenant's settings to its new slug.
func (r *Runner) RenameTenant(ctx context.Context, from, to string) error {
	s, err := r.tenantSettings(ctx, "tenant-settings:"+from)
	if err != nil {
		return err
	}
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	_, err = r.V4.KV.Namespaces.Values.Update(ctx, config.NamespaceEdge, "tenant-settings:"+to, kv4.NamespaceValueUpdateParams{
		AccountID: cf4.F(r.Account),
		Value:     cf4.F(string(b)),
	})
	if err != nil {
		return err
	}
	_, err = r.V4.KV.Namespaces.Values.Delete(ctx, config.NamespaceEdge, "tenant-settings:"+from, kv4.NamespaceValueDeleteParams{
		AccountID: cf4.F(r.Account),
	})
	return err
}

// StartTrial marks a tenant as trialling until endsAt; the edge unlocks the
// enterprise features while the key exists.
func (r *Runner) StartTrial(ctx context.Context, tenant string, endsAt time.Time) error {
	body, err := json.Marshal(map[string]any{"plan": "enterprise", "ends_at": endsAt})
	if err != nil {
		return err
	}
	_, err = r.V4.KV.Namespaces.Values.Update(ctx, config.NamespaceEdge, "trial:"+tenant, kv4.NamespaceValueUpdateParams{
		AccountID:  cf4.F(r.Account),
		Value:      cf4.F(string(body)),
		Expiration: cf4.F(float64(endsAt.UnixNano() / 1e6)), // EXPECT kvttl
	})
	return err
}

// TrialEndsAt reads back the end of a trial, for the admin UI.
func (r *Runner) TrialEndsAt(ctx context.Context, tenant string) (time.Time, error) {
	res, err := r.V4.KV.Namespaces.Values.Get(ctx, config.NamespaceEdge, "trial:"+tenant, kv4.NamespaceValueGetParams{
		AccountID: cf4.F(r.Account),
	})
	if err != nil {
		return time.Time{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return time.Time{}, err
	}
	var v struct {
		EndsAt time.Time `json:"ends_at"`
	}
	return v.EndsAt, json.Unmarshal(b, &v)
}
