// Package tenants maps custom hostnames to tenants and keeps per-tenant
// edge data such as the maintenance banner.
package tenants

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/db"
	"example.com/saas/internal/kvstore"
)

// ErrUnknownHost is returned for hostnames no tenant has claimed.
var ErrUnknownHost = errors.New("tenants: unknown host")

const unknownMarker = "-"

// Directory resolves hostnames.
type Directory struct {
	ns *kv.Namespace
	db *sql.DB
}

// NewDirectory binds TENANTS and D1.
func NewDirectory() (*Directory, error) {
	ns, err := kv.NewNamespace(config.BindingTenants)
	if err != nil {
		return nil, err
	}
	d, err := db.Get()
	if err != nil {
		return nil, err
	}
	return &Directory{ns: ns, db: d}, nil
}

func ttlOpts(d time.Duration) *kv.PutOptions {
	return &kv.PutOptions{ExpirationTTL: int(d.Seconds())}
}

func atLeastMinute(secs int) *kv.PutOptions {
	if secs < 60 {
		secs = 60
	}
	return &kv.PutOptions{ExpirationTTL: secs}
}

func edge(secs int) *kv.GetOptions {
	return &kv.GetOptions{CacheTTL: secs}
}

func hostKey(host string) string { return "host:" + strings.ToLower(host) }

// Resolve returns the tenant that owns host.
func (d *Directory) Resolve(ctx context.Context, host string) (string, error) {
	key := hostKey(host)
	v, err := d.ns.GetString(key, edge(300))
	if err != nil {
		return "", err
	}
	switch {
	case v == unknownMarker:
		return "", ErrUnknownHost
	case !kvstore.Missing(v):
		return v, nil
	}
	var tenant string
	err = d.db.QueryRowContext(ctx, `SELECT tenant_id FROM domains WHERE host = ? AND verified = 1`, host).Scan(&tenant)
	if errors.Is(err, sql.ErrNoRows) {
		_ = d.ns.PutString(key, unknownMarker,
			ttlOpts(20*time.Second)) // EXPECT kvttl
		return "", ErrUnknownHost
	}
	if err != nil {
		return "", err
	}
	return tenant, d.ns.PutString(key, tenant, ttlOpts(config.TenantCacheTTL))
}

// StartDomainCheck stores the DNS challenge a tenant must publish.
func (d *Directory) StartDomainCheck(host, challenge string) error {
	return d.ns.PutString("domain-challenge:"+strings.ToLower(host), challenge, atLeastMinute(30))
}

// MoveHost re-points a custom hostname after the customer renamed it.
func (d *Directory) MoveHost(oldHost, newHost string) error {
	tenant, err := d.ns.GetString(hostKey(oldHost), nil)
	if err != nil {
		return err
	}
	if kvstore.Missing(tenant) || tenant == unknownMarker {
		return ErrUnknownHost
	}
	if err := d.ns.PutString(hostKey(newHost), tenant, nil); err != nil {
		return err
	}
	return d.ns.Delete(hostKey(oldHost))
}

// AddAlias records an additional hostname on the tenant's alias list.
func (d *Directory) AddAlias(tenant, host string) error {
	get, put := d.ns.GetString, d.ns.PutString
	key := "aliases:" + tenant
	list, err := get(key, nil)
	if err != nil {
		return err
	}
	if kvstore.Missing(list) {
		list = ""
	}
	if list != "" {
		list += ","
	}
	list += strings.ToLower(host)
	return put(key, list, nil) // EXPECT kvrace
}

// Banner returns the tenant's maintenance banner, if any.
func (d *Directory) Banner(tenant string) (string, error) {
	v, err := d.ns.GetString("banner:"+tenant, edge(10)) // EXPECT kvttl
	if err != nil || kvstore.Missing(v) {
		return "", err
	}
	return v, nil
}

// SetBanner shows a maintenance banner until the given time.
func (d *Directory) SetBanner(tenant, text string, until time.Time) error {
	if !until.After(time.Now().Add(time.Minute)) {
		return errors.New("tenants: banner must stay up for at least a minute")
	}
	return d.ns.PutString("banner:"+tenant, text, &kv.PutOptions{Expiration: int(until.Unix())})
}

// ScheduleMaintenanceBanner announces the data-centre move.
func (d *Directory) ScheduleMaintenanceBanner(tenant string) error {
	return d.ns.PutString("banner:"+tenant, "Scheduled maintenance on Saturday 02:00 UTC", &kv.PutOptions{
		Expiration: 1700870400, // EXPECT kvttl
	})
}
