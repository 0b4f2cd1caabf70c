// Package wiring assembles the registration backend: a dig container for
// the request-path services, a samber/do injector for the seat and PIN
// stores, and the service locator the background jobs read from.
package wiring

import (
	"log/slog"
	"os"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"
	"go.uber.org/dig"

	"github.com/kokako-uni/kokako/internal/adddrop"
	"github.com/kokako-uni/kokako/internal/kvstore"
	"github.com/kokako-uni/kokako/internal/session"
	"github.com/kokako-uni/kokako/internal/settings"
	"github.com/kokako-uni/kokako/internal/term"
	"github.com/kokako-uni/kokako/internal/waitlist"
)

// Namespaces publishes one kvstore handle per KV namespace, by name.
type Namespaces struct {
	dig.Out

	Sessions   *kvstore.Namespace `name:"sessions"`
	Seats      *kvstore.Namespace `name:"seats"`
	Pins       *kvstore.Namespace `name:"pins"`
	Waitlists  *kvstore.Namespace `name:"waitlists"`
	Terms      *kvstore.Namespace `name:"terms"`
	Rosters    *kvstore.Namespace `name:"rosters"`
	Enrolments *kvstore.Namespace `name:"enrolments"`
	Limits     *kvstore.Namespace `name:"limits"`
	Jobs       *kvstore.Namespace `name:"jobs"`
}

// NewClient builds the Cloudflare API client.
func NewClient(acct settings.Account) *cloudflare.Client {
	return cloudflare.NewClient(option.WithAPIToken(acct.APIToken), option.WithMaxRetries(3))
}

// ProvideNamespaces opens every namespace of the account.
func ProvideNamespaces(client *cloudflare.Client, acct settings.Account) Namespaces {
	open := func(id, title string) *kvstore.Namespace { return kvstore.New(client, acct.ID, id, title) }
	return Namespaces{
		Sessions:   open(acct.Sessions, "sessions"),
		Seats:      open(acct.Seats, "seats"),
		Pins:       open(acct.Sessions, "pins"),
		Waitlists:  open(acct.Waitlists, "waitlists"),
		Terms:      open(acct.Terms, "terms"),
		Rosters:    open(acct.Rosters, "rosters"),
		Enrolments: open(acct.Rosters, "enrolments"),
		Limits:     open(acct.Limits, "limits"),
		Jobs:       open(acct.Limits, "jobs"),
	}
}

// Upstreams are the systems of record the backend reads from.
type Upstreams struct {
	Catalog  term.Catalog
	Notifier waitlist.Notifier
}

// NewContainer provides every request-path constructor.
func NewContainer(acct settings.Account, up Upstreams) (*dig.Container, error) {
	c := dig.New()
	provides := []struct {
		ctor any
		opts []dig.ProvideOption
	}{
		{func() settings.Account { return acct }, nil},
		{func() *slog.Logger { return slog.New(slog.NewJSONHandler(os.Stderr, nil)) }, nil},
		{func() term.Catalog { return up.Catalog }, nil},
		{NewClient, nil},
		{ProvideNamespaces, nil},
		{settings.Provide, nil},
		{session.NewStore, nil},
		{waitlist.New, nil},
		{adddrop.NewLimiter, nil},
		{term.NewService, nil},
	}
	for _, p := range provides {
		if err := c.Provide(p.ctor, p.opts...); err != nil {
			return nil, err
		}
	}
	if up.Notifier != nil {
		if err := c.Provide(func() waitlist.Notifier { return up.Notifier }); err != nil {
			return nil, err
		}
	}
	return c, nil
}
