// Package ops is the back office: it manages the worker's KV namespace over
// the Cloudflare REST API (menus, slots, no-show records, partner tokens,
// housekeeping).
package ops

import (
	"context"
	"fmt"
	"net/http"

	"github.com/cloudflare/cloudflare-go/v5"

	"sedge/internal/bus"
	"sedge/internal/config"
	"sedge/internal/events"
	"sedge/internal/httpx"
	"sedge/internal/restkv"
)

// Ledger is the booking system of record.
type Ledger interface {
	NoShowCount(ctx context.Context, dinerID string) (int, error)
}

// Admin holds the clients and scoped buckets of the back office.
type Admin struct {
	client  *cloudflare.Client
	account string
	ns      string
	prefix  string

	notes    restkv.Bucket
	counts   restkv.Bucket
	flags    restkv.Bucket
	slugs    restkv.Bucket
	rules    restkv.Bucket
	partners restkv.Bucket
	tokens   restkv.Bucket
	state    restkv.Bucket
	failures restkv.Bucket
	banners  restkv.Bucket
	limits   restkv.Bucket
	dir      restkv.Bucket
	raw      restkv.Bucket

	ledger Ledger
	bus    *bus.Bus
}

// Options configure New.
type Options struct {
	Client    *cloudflare.Client
	AccountID string
	Namespace string
	Prefix    string
	Driver    restkv.Driver
	Ledger    Ledger
	Bus       *bus.Bus
}

// New scopes the root bucket for each record kind and subscribes the no-show
// tracker.
func New(o Options) *Admin {
	root := restkv.NewBucket(o.Driver, o.Namespace, o.Prefix)
	a := &Admin{
		client:   o.Client,
		account:  o.AccountID,
		ns:       o.Namespace,
		prefix:   o.Prefix,
		notes:    root.Scope("noshow-notes"),
		counts:   root.Scope("stats"),
		flags:    root.Scope("deposit-required"),
		slugs:    root.Scope("slug"),
		rules:    root.Scope("rules"),
		partners: root.Scope("partner"),
		tokens:   root.Scope("partner-token"),
		state:    root.Scope("ops"),
		failures: root.Scope("sms-failed"),
		banners:  root.Scope("banner"),
		limits:   root.Scope("ratelimit"),
		dir:      root.Scope("directory"),
		raw:      restkv.NewBucket(o.Driver, o.Namespace, ""),
		ledger:   o.Ledger,
		bus:      o.Bus,
	}
	if a.bus != nil {
		a.bus.Subscribe(events.TopicNoShow, events.Dispatch(noShowTracker{a: a}))
	}
	return a
}

// LoadSettings reads the worker settings document; a namespace that has
// none yet gets the defaults.
func (a *Admin) LoadSettings(ctx context.Context) (*config.Config, error) {
	o, err := a.raw.Lookup(ctx, config.SettingsKey)
	if err != nil {
		return nil, err
	}
	raw, ok := o.Get()
	if !ok {
		return config.Defaults(), nil
	}
	c, err := config.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("settings: %w", err)
	}
	return c, nil
}

// Handler exposes the webhook and partner endpoints.
func (a *Admin) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("POST /hooks/sms-receipt", httpx.Handler(a.ReceiptHook))
	mux.Handle("GET /partner/v1/availability", httpx.Handler(a.PartnerAvailability))
	return mux
}
