// Package svc holds the dependencies shared by every logic.
package svc

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"

	"github.com/kakapo-auctions/kakapo/internal/bidder"
	"github.com/kakapo-auctions/kakapo/internal/config"
	"github.com/kakapo-auctions/kakapo/internal/kvstore"
)

// ErrUnauthorized is returned for a missing or unknown session token.
var ErrUnauthorized = errors.New("unauthorized")

// ServiceContext is built once in main and handed to every handler.
type ServiceContext struct {
	Config   config.Config
	CF       *cloudflare.Client
	Lots     *kvstore.Namespace
	LotCache *kvstore.Cache
	Sessions *kvstore.Namespace
	Bidders  *kvstore.Namespace
	Tickets  *kvstore.Namespace
	Catalog  *Catalog
}

// NewServiceContext opens the KV namespaces named in c.
func NewServiceContext(c config.Config) *ServiceContext {
	cf := kvstore.NewClient(c.Cloudflare.APIToken)
	acct := c.Cloudflare.AccountID
	lots := kvstore.Open(cf, acct, c.Namespaces.Lots, "LOTS")
	return &ServiceContext{
		Config:   c,
		CF:       cf,
		Lots:     lots,
		LotCache: kvstore.NewCache(lots),
		Sessions: kvstore.Open(cf, acct, c.Namespaces.Sessions, "SESSIONS"),
		Bidders:  kvstore.Open(cf, acct, c.Namespaces.Bidders, "BIDDERS"),
		Tickets:  kvstore.Open(cf, acct, c.Namespaces.Tickets, "TICKETS"),
		Catalog:  &Catalog{BaseURL: c.CatalogURL, HTTP: &http.Client{Timeout: 10 * time.Second}},
	}
}

// Session resolves a bearer token to its session.
func (s *ServiceContext) Session(ctx context.Context, token string) (*bidder.Session, error) {
	if token == "" {
		return nil, ErrUnauthorized
	}
	var sess bidder.Session
	if err := s.Sessions.GetJSON(ctx, bidder.SessionKey(token), &sess); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, ErrUnauthorized
		}
		return nil, err
	}
	return &sess, nil
}
