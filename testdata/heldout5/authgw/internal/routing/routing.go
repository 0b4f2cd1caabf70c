// Package routing maps a tenant's request paths to origin services.
//
// Routes are stored one per key as route:<tenant>:<escaped path prefix>=<alias>
// so that a tenant's table can be read with a single list call. Aliases
// resolve to origin URLs through the tenant's settings record.
package routing

import (
	"context"
	"errors"
	"net/url"
	"sort"
	"strings"
	"time"

	"example.com/authgw/internal/cache"
	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

var (
	ErrNoRoute      = errors.New("routing: no route")
	ErrUnknownAlias = errors.New("routing: unknown origin alias")
)

// Route is one entry of a table.
type Route struct {
	Prefix string `json:"prefix"`
	Alias  string `json:"alias"`
	Origin string `json:"origin"`
}

// Table is a tenant's routes, longest prefix first.
type Table struct {
	Routes []Route `json:"routes"`
}

// Settings is the tenant record.
type Settings struct {
	Origins map[string]string `json:"origins"`
	Updated time.Time         `json:"updated"`
}

// Options configure a Resolver.
type Options struct {
	TableTTL     time.Duration // how long a built table is cached in KV
	EdgeCacheTTL time.Duration // cacheTtl for table reads
	LocalTTL     time.Duration // per-isolate memo
}

// Resolver answers "which origin serves this path".
type Resolver struct {
	kv     kvport.Store
	tables *cache.Cache[Table]
}

func NewResolver(kv kvport.Store, o Options) *Resolver {
	return &Resolver{
		kv: kv,
		tables: cache.New[Table](kv,
			cache.WithPrefix("routing:table:"),
			cache.WithTTL(o.TableTTL),
			cache.WithEdgeTTL(o.EdgeCacheTTL),
			cache.WithLocalTTL(o.LocalTTL),
		),
	}
}

func routePrefix(tenant string) string { return "route:" + tenant + ":" }
func settingsKey(tenant string) string { return "tenant:" + tenant }

func routeKey(tenant, prefix, alias string) string {
	return routePrefix(tenant) + url.PathEscape(prefix) + "=" + alias
}

// Resolve returns the origin URL for path.
func (r *Resolver) Resolve(ctx context.Context, tenant, path string) (*url.URL, Route, error) {
	t, err := r.tables.Get(ctx, tenant, func(ctx context.Context) (Table, error) {
		return r.build(ctx, tenant)
	})
	if err != nil {
		return nil, Route{}, err
	}
	for _, rt := range t.Routes {
		if strings.HasPrefix(path, rt.Prefix) {
			u, err := url.Parse(rt.Origin)
			return u, rt, err
		}
	}
	return nil, Route{}, ErrNoRoute
}

func (r *Resolver) build(ctx context.Context, tenant string) (Table, error) {
	settings, err := r.Settings(ctx, tenant)
	if err != nil {
		return Table{}, err
	}
	page, err := r.kv.List(ctx, kvport.ListQuery{Prefix: routePrefix(tenant)}) // EXPECT kvlist
	if err != nil {
		return Table{}, err
	}
	var t Table
	for _, k := range page.Keys {
		rest := strings.TrimPrefix(k.Name, routePrefix(tenant))
		esc, alias, ok := strings.Cut(rest, "=")
		if !ok {
			continue
		}
		prefix, err := url.PathUnescape(esc)
		if err != nil {
			continue
		}
		origin, ok := settings.Origins[alias]
		if !ok {
			continue // alias removed; route is dead until fixed
		}
		t.Routes = append(t.Routes, Route{Prefix: prefix, Alias: alias, Origin: origin})
	}
	sort.Slice(t.Routes, func(i, j int) bool { return len(t.Routes[i].Prefix) > len(t.Routes[j].Prefix) })
	return t, nil
}

// Settings loads the tenant record.
func (r *Resolver) Settings(ctx context.Context, tenant string) (Settings, error) {
	s, err := repo.GetJSON[Settings](ctx, r.kv, settingsKey(tenant), kvport.WithCacheTTL(2*time.Minute))
	if kvport.IsNotFound(err) {
		return Settings{Origins: map[string]string{}}, nil
	}
	return s, err
}

// Admin edits routing data.
type Admin struct {
	kv       kvport.Store
	resolver *Resolver
}

func NewAdmin(kv kvport.Store, r *Resolver) *Admin { return &Admin{kv: kv, resolver: r} }

// PutRoute adds or replaces a route.
func (a *Admin) PutRoute(ctx context.Context, tenant, prefix, alias string) error {
	if !strings.HasPrefix(prefix, "/") {
		return errors.New("routing: prefix must start with /")
	}
	if err := a.kv.Put(ctx, routeKey(tenant, prefix, alias), nil); err != nil {
		return err
	}
	return a.resolver.tables.Invalidate(ctx, tenant)
}

// DeleteRoute removes a route.
func (a *Admin) DeleteRoute(ctx context.Context, tenant, prefix, alias string) error {
	if err := a.kv.Delete(ctx, routeKey(tenant, prefix, alias)); err != nil {
		return err
	}
	return a.resolver.tables.Invalidate(ctx, tenant)
}

// RoutePage is one page of raw route keys.
type RoutePage struct {
	Keys   []string `json:"keys"`
	Cursor string   `json:"cursor,omitempty"`
	Done   bool     `json:"done"`
}

// ListRoutes returns one page of a tenant's routes for the admin UI.
func (a *Admin) ListRoutes(ctx context.Context, tenant, cursor string) (RoutePage, error) {
	page, err := a.kv.List(ctx, kvport.ListQuery{Prefix: routePrefix(tenant), Cursor: cursor, Limit: 200})
	if err != nil {
		return RoutePage{}, err
	}
	out := RoutePage{Cursor: page.Cursor, Done: page.Complete}
	for _, k := range page.Keys {
		out.Keys = append(out.Keys, strings.TrimPrefix(k.Name, routePrefix(tenant)))
	}
	return out, nil
}

// SetOrigin points alias at origin for tenant.
func (a *Admin) SetOrigin(ctx context.Context, tenant, alias, origin string) error {
	u, err := url.Parse(origin)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return errors.New("routing: origin must be an absolute https URL")
	}
	s, err := a.resolver.Settings(ctx, tenant)
	if err != nil {
		return err
	}
	if s.Origins == nil {
		s.Origins = map[string]string{}
	}
	s.Origins[alias] = u.String()
	s.Updated = time.Now().UTC()
	if err := repo.PutJSON(ctx, a.kv, settingsKey(tenant), s); err != nil { // EXPECT kvrace
		return err
	}
	return a.resolver.tables.Invalidate(ctx, tenant)
}
