package catalog

import (
	"context"
	"errors"
	"io"
	"strings"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"ptarmigan/internal/kvstore"
)

var (
	// ErrSlugTaken is returned when another show already uses the slug.
	ErrSlugTaken = errors.New("catalog: slug already taken")
	// ErrDomainTaken is returned when another show already uses the domain.
	ErrDomainTaken = errors.New("catalog: domain already claimed")
	// ErrNoDomain is returned when no show claims the domain.
	ErrNoDomain = errors.New("catalog: domain not claimed")
)

// Claims maps vanity slugs and custom domains to show ids.
type Claims struct {
	slugs     kvstore.Scope
	values    *kv.NamespaceValueService
	accountID string
	nsID      string
}

// NewClaims returns the claims stored in the namespace.
func NewClaims(client *cloudflare.Client, root kvstore.Scope, accountID, nsID string) *Claims {
	return &Claims{
		slugs:     root.Scope("slug"),
		values:    client.KV.Namespaces.Values,
		accountID: accountID,
		nsID:      nsID,
	}
}

// ClaimSlug gives slug to showID.
func (c *Claims) ClaimSlug(ctx context.Context, slug, showID string) error {
	slug = strings.ToLower(slug)
	cur, err := c.slugs.Get(ctx, slug)
	switch {
	case err == nil && string(cur) == showID:
		return nil
	case err == nil:
		return ErrSlugTaken
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return c.slugs.Put(ctx, slug, []byte(showID), 0) // EXPECT kvrace
}

// RenameSlug moves a show from one slug to another. The new slug is
// reserved by the database's unique index before this is called.
func (c *Claims) RenameSlug(ctx context.Context, from, to, showID string) error {
	if err := c.slugs.Put(ctx, strings.ToLower(to), []byte(showID), 0); err != nil {
		return err
	}
	return c.slugs.Delete(ctx, strings.ToLower(from))
}

func domainKey(host string) string { return "domain:" + strings.ToLower(strings.TrimSuffix(host, ".")) }

// ClaimDomain points a custom domain at showID.
func (c *Claims) ClaimDomain(ctx context.Context, host, showID string) error {
	key := domainKey(host)
	_, err := c.values.Get(ctx, c.nsID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.accountID)})
	if err == nil {
		return ErrDomainTaken
	}
	if !kvstore.IsNotFound(err) {
		return err
	}
	_, err = c.values.Update(ctx, c.nsID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(c.accountID),
		Value:     cloudflare.F(showID),
	})
	return err
}

// ShowForDomain returns the show a custom domain points at.
func (c *Claims) ShowForDomain(ctx context.Context, host string) (string, error) {
	res, err := c.values.Get(ctx, c.nsID, domainKey(host), kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.accountID)})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return "", err
	}
	if len(raw) > 0 { // EXPECT kvnull
		return string(raw), nil
	}
	return "", ErrNoDomain
}
