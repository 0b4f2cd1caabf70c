// Package clients keeps OAuth client metadata. The primary copy lives in the
// database; KV holds a read-through copy for the edge authorize Worker.
package clients

import (
	"context"
	"errors"
	"slices"
	"time"

	"example.com/identity/internal/repo"
	"example.com/identity/internal/store"
)

// Client is an OAuth 2.0 client registration.
type Client struct {
	ID             string        `json:"client_id"`
	Slug           string        `json:"slug"`
	Name           string        `json:"client_name"`
	RedirectURIs   []string      `json:"redirect_uris"`
	Public         bool          `json:"public"`
	SecretHash     string        `json:"secret_hash,omitempty"`
	AccessTokenTTL time.Duration `json:"access_token_ttl"`
}

// Source is the primary database.
type Source interface {
	Load(ctx context.Context, id string) (*Client, error)
	Create(ctx context.Context, c *Client) error
	SetRedirectURIs(ctx context.Context, id string, uris []string) error
}

var (
	ErrUnknownClient = errors.New("clients: unknown client")
	ErrSlugTaken     = errors.New("clients: slug already registered")
)

// Registry reads clients through KV.
type Registry struct {
	st    store.Store
	cache *repo.Repo[Client]
	src   Source
}

// NewRegistry returns a registry caching records for an hour.
func NewRegistry(st store.Store, src Source) *Registry {
	return &Registry{st: st, cache: repo.New[Client](st, "client:", repo.TTL(time.Hour)), src: src}
}

// Lookup returns the client, filling the KV copy from the database on a miss.
func (r *Registry) Lookup(ctx context.Context, id string) (*Client, error) {
	c, err := r.cache.Get(ctx, id)
	if err == nil {
		return &c, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	fresh, err := r.src.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	if fresh == nil {
		return nil, ErrUnknownClient
	}
	if err := r.cache.Save(ctx, id, *fresh); err != nil {
		return nil, err
	}
	return fresh, nil
}

// RedirectAllowed is the hot-path check used by /authorize.
func (r *Registry) RedirectAllowed(ctx context.Context, id, uri string) bool {
	c, _ := r.cache.Get(ctx, id) // EXPECT kvnull
	return slices.Contains(c.RedirectURIs, uri)
}

// Register creates a client with a vanity slug used in hosted login URLs.
func (r *Registry) Register(ctx context.Context, c *Client) error {
	slugKey := "client:slug:" + c.Slug
	if _, err := r.st.Get(ctx, slugKey); err == nil {
		return ErrSlugTaken
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err := r.src.Create(ctx, c); err != nil {
		return err
	}
	return r.st.Put(ctx, slugKey, []byte(c.ID)) // EXPECT kvrace
}

// SetRedirectURIs updates the database and drops the cached copy.
func (r *Registry) SetRedirectURIs(ctx context.Context, id string, uris []string) error {
	if err := r.src.SetRedirectURIs(ctx, id, uris); err != nil {
		return err
	}
	return r.cache.Delete(ctx, id)
}

// Rename changes the display name in the cached record only; the database
// copy is renamed by the admin UI separately.
func (r *Registry) Rename(ctx context.Context, id, name string) error {
	return r.cache.Update(ctx, id, func(c *Client) error {
		if c.ID == "" {
			return ErrUnknownClient
		}
		c.Name = name
		return nil
	})
}
