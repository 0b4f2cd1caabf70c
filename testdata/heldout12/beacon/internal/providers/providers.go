// Package providers builds beacon's components from configuration. Each
// ProvideX takes what it needs and returns one component, in the style of a
// wire injector, so commands and tests assemble only the parts they use.
package providers

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"example.com/beacon/internal/campaign"
	"example.com/beacon/internal/config"
	"example.com/beacon/internal/deps"
	"example.com/beacon/internal/device"
	"example.com/beacon/internal/kvstore"
	"example.com/beacon/internal/kvstore/cfkv"
	"example.com/beacon/internal/push"
	"example.com/beacon/internal/quota"
	"example.com/beacon/internal/receipts"
	"example.com/beacon/internal/retry"
	"example.com/beacon/internal/session"
	"example.com/beacon/internal/topics"
)

// Registry names.
const (
	KVDevices   = "kv.devices"
	KVSessions  = "kv.sessions"
	KVCampaigns = "kv.campaigns"
	KVReceipts  = "kv.receipts"
	KVTenants   = "kv.tenants"
)

// ProvideRegistry opens the API client and every namespace.
func ProvideRegistry(cfg *config.Config) (*deps.Registry, error) {
	if cfg.Cloudflare.APIToken == "" {
		return nil, fmt.Errorf("providers: no API token")
	}
	client := cloudflare.NewClient(option.WithAPIToken(cfg.Cloudflare.APIToken), option.WithMaxRetries(2))
	reg := deps.New()
	reg.Register("config", cfg)
	reg.Register("cf.client", client)
	ns := cfg.Cloudflare.Namespaces
	for name, id := range map[string]string{
		KVDevices: ns.Devices, KVSessions: ns.Sessions, KVCampaigns: ns.Campaigns, KVReceipts: ns.Receipts, KVTenants: ns.Tenants,
	} {
		if id == "" {
			id = ns.Devices // small installs keep everything in one namespace
		}
		reg.Register(name, cfkv.New(client, cfg.Cloudflare.AccountID, id))
	}
	return reg, nil
}

// Store returns the store registered under name.
func Store(reg *deps.Registry, name string) kvstore.Store { return reg.Must(name).(kvstore.Store) }

func cfgOf(reg *deps.Registry) *config.Config { return reg.Must("config").(*config.Config) }

func clientOf(reg *deps.Registry) *cloudflare.Client {
	return reg.Must("cf.client").(*cloudflare.Client)
}

// ProvideDevices returns the device registry and its registration limiter.
func ProvideDevices(reg *deps.Registry) (*device.Service, *device.Limiter) {
	cfg := cfgOf(reg)
	d := cfg.Storage.Devices
	svc := device.NewService(Store(reg, KVDevices), d.TTL, d.ProvisionalTTL)
	lim := &device.Limiter{Store: Store(reg, KVTenants), Window: cfg.Quota.BurstWindow, Limit: cfg.Quota.BurstLimit}
	return svc, lim
}

// ProvideSessions returns the session manager and the reset flow.
func ProvideSessions(reg *deps.Registry, pw session.PasswordSetter) (*session.Manager, *session.Resets) {
	cfg := cfgOf(reg)
	s := cfg.Storage.Sessions
	mgr := session.NewManager(Store(reg, KVSessions), s.TTL, s.IdleTimeout)
	resets := &session.Resets{
		Client: clientOf(reg), AccountID: cfg.Cloudflare.AccountID,
		NamespaceID: cfg.Cloudflare.Namespaces.Sessions, Passwords: pw,
	}
	return mgr, resets
}

// ProvideQuota returns the quota enforcer.
func ProvideQuota(reg *deps.Registry) *quota.Enforcer {
	cfg := cfgOf(reg)
	return quota.NewEnforcer(clientOf(reg), cfg.Cloudflare.AccountID, cfg.Cloudflare.Namespaces.Tenants, cfg.Quota.DefaultDaily)
}

// ProvideTopics returns the topic registry.
func ProvideTopics(reg *deps.Registry) *topics.Registry {
	cfg := cfgOf(reg)
	return &topics.Registry{Client: clientOf(reg), AccountID: cfg.Cloudflare.AccountID, NamespaceID: cfg.Cloudflare.Namespaces.Devices, MaxTopics: 50}
}

// ProvideCampaigns returns the campaign store.
func ProvideCampaigns(reg *deps.Registry) *campaign.Store {
	return &campaign.Store{
		KV:    Store(reg, KVCampaigns),
		Retry: retry.Policy{Attempts: 3, Base: 100 * time.Millisecond, Max: time.Second, Retryable: cfkv.IsRateLimited},
	}
}

// ProvideReceipts returns the receipt recorder and the bulk admin.
func ProvideReceipts(reg *deps.Registry) (*receipts.Recorder, *receipts.Admin) {
	cfg := cfgOf(reg)
	r := cfg.Storage.Receipts
	rec := &receipts.Recorder{Store: Store(reg, KVReceipts), TTL: r.TTL, MaxPages: r.MaxPages}
	adm := &receipts.Admin{Client: clientOf(reg), AccountID: cfg.Cloudflare.AccountID, NamespaceID: cfg.Cloudflare.Namespaces.Receipts, BatchSize: r.PurgeBatch}
	return rec, adm
}

// ProvideDispatcher wires the push dispatcher.
func ProvideDispatcher(reg *deps.Registry, devs *device.Service, tops *topics.Registry, q *quota.Enforcer,
	adm *receipts.Admin, totals *push.Totals) *push.Dispatcher {
	return &push.Dispatcher{
		Store: Store(reg, KVCampaigns), Members: tops, Devices: devs, Quota: q, Failures: adm,
		Senders: map[device.Platform]push.Sender{
			device.IOS: push.LogSender{}, device.Android: push.LogSender{}, device.Web: push.LogSender{},
		},
		Parallelism: cfgOf(reg).Push.Parallelism,
		MaxPages:    5,
		OnSent:      func(_ context.Context, d device.Device, _ string) { totals.Add(d.TenantID, 1) },
	}
}

// ProvideScheduler wires the campaign scheduler.
func ProvideScheduler(reg *deps.Registry, camps *campaign.Store, runner campaign.Runner,
	tenants func(context.Context) ([]string, error)) *campaign.Scheduler {
	cfg := cfgOf(reg)
	return &campaign.Scheduler{
		Client: clientOf(reg), AccountID: cfg.Cloudflare.AccountID, NamespaceID: cfg.Cloudflare.Namespaces.Campaigns,
		Campaigns: camps, Runner: runner, Tenants: tenants, Beat: Store(reg, KVCampaigns),
		Owner: cfg.Scheduler.Owner, Interval: cfg.Scheduler.Interval,
	}
}
