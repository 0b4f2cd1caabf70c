package kvlist

import (
	"context"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

type due struct {
	Tenant, Invoice string
}

// dueByTenant lists one bounded sweep of due keys, sorted by tenant.
func (s *store) dueByTenant(ctx context.Context) map[string][]due {
	byTenant := make(map[string][]due)
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Prefix: cloudflare.F("due:"), Limit: cloudflare.F(1000.0)}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, params)
	if err != nil || res.ResultInfo.Cursor != "" {
		return byTenant
	}
	for _, k := range res.Result {
		parts := strings.Split(k.Name, ":")
		if len(parts) != 3 {
			continue
		}
		d := due{Tenant: parts[1], Invoice: parts[2]}
		byTenant[d.Tenant] = append(byTenant[d.Tenant], d)
	}
	return byTenant
}

// Quiet: one get per tenant the keys are grouped by, not per listed key.
func (s *store) remindTenants(ctx context.Context) int {
	byTenant := s.dueByTenant(ctx)
	sent := 0
	for tenant, invoices := range byTenant {
		if paused, _ := s.get(ctx, "paused:"+tenant); paused != "" {
			continue
		}
		sent += len(invoices)
	}
	return sent
}

// One get per listed key, through the groups' values.
func (s *store) remindInvoices(ctx context.Context) int { // want remindInvoices:"kvlist"
	sent := 0
	for _, invoices := range s.dueByTenant(ctx) {
		for _, d := range invoices {
			if v, _ := s.get(ctx, "invoice:"+d.Invoice); v != "" { // want `one get per listed key \(N\+1\)`
				sent++
			}
		}
	}
	return sent
}

// A map keyed by the listed key itself is no grouping: one get per key.
func (s *store) sizes(ctx context.Context) map[string]int { // want sizes:"kvlist"
	byName := make(map[string]int)
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Prefix: cloudflare.F("blob:"), Limit: cloudflare.F(100.0)}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, params)
	if err != nil || res.ResultInfo.Cursor != "" {
		return nil
	}
	for _, k := range res.Result {
		byName[k.Name] = 0
	}
	for name := range byName {
		v, _ := s.get(ctx, name) // want `one get per listed key \(N\+1\)`
		byName[name] = len(v)
	}
	return byName
}

// Quiet: the deferred closure runs once, after the walk, not per key.
func (s *store) archive(ctx context.Context, tenant string) (n int) {
	defer func() {
		last, _ := s.get(ctx, "archived:"+tenant)
		_ = last
	}()
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Prefix: cloudflare.F("inv:" + tenant + ":"), Limit: cloudflare.F(100.0)}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, params)
	if err != nil || res.ResultInfo.Cursor != "" {
		return 0
	}
	tenant = strings.TrimPrefix(res.Result[0].Name, "inv:")
	return len(res.Result)
}

// A goroutine per listed key: the closure runs once per key.
func (s *store) warm(ctx context.Context) { // want warm:"kvlist"
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Prefix: cloudflare.F("hot:"), Limit: cloudflare.F(100.0)}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, params)
	if err != nil || res.ResultInfo.Cursor != "" {
		return
	}
	name := res.Result[0].Name
	go func() {
		_, _ = s.get(ctx, name)
	}()
	for _, k := range res.Result {
		go func() {
			_, _ = s.get(ctx, k.Name) // want `one get per listed key \(N\+1\)`
		}()
	}
}
