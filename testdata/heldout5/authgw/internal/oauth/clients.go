package oauth

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"time"

	"example.com/authgw/internal/ids"
	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

var (
	ErrUnknownClient = errors.New("oauth: unknown client")
	ErrBadRedirect   = errors.New("oauth: redirect_uri not registered")
)

// Client is a registered first-party application.
type Client struct {
	ID           string    `json:"id"`
	Name         string    `json:"name"`
	TenantID     string    `json:"tenant"`
	RedirectURIs []string  `json:"redirect_uris"`
	CreatedAt    time.Time `json:"created_at"`
}

// Clients is the client registry.
type Clients struct {
	kv kvport.Store
}

func NewClients(kv kvport.Store) *Clients { return &Clients{kv: kv} }

func clientKey(id string) string { return "oauth:client:" + id }

// Register creates a client.
func (c *Clients) Register(ctx context.Context, tenant, name string, redirects []string) (*Client, error) {
	for _, r := range redirects {
		if _, err := url.ParseRequestURI(r); err != nil {
			return nil, ErrBadRedirect
		}
	}
	cl := &Client{ID: ids.New(), Name: name, TenantID: tenant, RedirectURIs: redirects, CreatedAt: time.Now().UTC()}
	return cl, repo.PutJSON(ctx, c.kv, clientKey(cl.ID), cl)
}

// Lookup loads a client. Client records change rarely, so reads may be
// served from the edge for a few minutes.
func (c *Clients) Lookup(ctx context.Context, id string) (*Client, error) {
	cl, err := repo.GetJSON[Client](ctx, c.kv, clientKey(id), kvport.WithCacheTTL(5*time.Minute))
	if kvport.IsNotFound(err) {
		return nil, ErrUnknownClient
	}
	if err != nil {
		return nil, err
	}
	return &cl, nil
}

// CheckRedirect verifies uri is registered for client id.
func (c *Clients) CheckRedirect(ctx context.Context, id, uri string) (*Client, error) {
	cl, err := c.Lookup(ctx, id)
	if err != nil {
		return nil, err
	}
	if !slices.Contains(cl.RedirectURIs, uri) {
		return nil, ErrBadRedirect
	}
	return cl, nil
}

// AddRedirect registers one more redirect URI on an existing client.
func (c *Clients) AddRedirect(ctx context.Context, id, uri string) error {
	if _, err := url.ParseRequestURI(uri); err != nil {
		return ErrBadRedirect
	}
	cl, err := repo.GetJSON[Client](ctx, c.kv, clientKey(id))
	if kvport.IsNotFound(err) {
		return ErrUnknownClient
	}
	if err != nil {
		return err
	}
	if slices.Contains(cl.RedirectURIs, uri) {
		return nil
	}
	cl.RedirectURIs = append(cl.RedirectURIs, uri)
	return repo.PutJSON(ctx, c.kv, clientKey(id), cl) // EXPECT kvrace
}
