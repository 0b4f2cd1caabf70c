// Package routing maps hostnames to sites and sites to their route tables.
package routing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"example.com/atlas/internal/consts"
	"example.com/atlas/internal/storage"
	"example.com/atlas/internal/storage/repo"
)

// ErrSlugTaken is returned when another site already owns a slug.
var ErrSlugTaken = errors.New("routing: slug already taken")

// RouteTable maps path prefixes of one site to build IDs or origins.
type RouteTable struct {
	SiteID    string            `json:"site"`
	Version   int               `json:"version"`
	Routes    map[string]string `json:"routes"`
	Default   string            `json:"default,omitempty"`
	UpdatedAt time.Time         `json:"updated_at"`
}

func (t RouteTable) Key() string { return tableKey(t.SiteID) }

func tableKey(siteID string) string { return consts.PrefixRoute.Key(siteID) }

// Service owns the routing namespace.
type Service struct {
	store  storage.Store
	tables *repo.Repository[RouteTable]

	// OnMiss resolves a hostname that is not cached in KV, normally by asking
	// the control-plane database. It returns the site ID.
	OnMiss func(ctx context.Context, host string) (string, error)

	pageSize int
	maxPages int
}

func New(s storage.Store, pageSize, maxPages int) *Service {
	return &Service{
		store:    s,
		tables:   repo.New[RouteTable](s, tableKey, 0),
		pageSize: pageSize,
		maxPages: maxPages,
	}
}

// ResolveHost returns the site serving host, caching control-plane answers.
func (s *Service) ResolveHost(ctx context.Context, host string) (string, error) {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	key := consts.PrefixHost.Key(host)
	b, err := s.store.Get(ctx, key)
	if err == nil {
		return string(b), nil
	}
	if !errors.Is(err, storage.ErrNotFound) {
		return "", err
	}
	if s.OnMiss == nil {
		return "", storage.ErrNotFound
	}
	siteID, err := s.OnMiss(ctx, host)
	if err != nil {
		return "", err
	}
	if err := s.store.Put(ctx, key, []byte(siteID), consts.HostCacheTTL); err != nil {
		return "", fmt.Errorf("routing: cache host %s: %w", host, err)
	}
	return siteID, nil
}

// ClaimSlug reserves slug (the site's *.atlas.dev subdomain) for siteID.
func (s *Service) ClaimSlug(ctx context.Context, slug, siteID string) error {
	key := consts.PrefixSlug.Key(strings.ToLower(slug))
	owner, err := s.store.Get(ctx, key)
	switch {
	case err == nil && string(owner) == siteID:
		return nil
	case err == nil:
		return ErrSlugTaken
	case !errors.Is(err, storage.ErrNotFound):
		return err
	}
	return s.store.Put(ctx, key, []byte(siteID), 0) // EXPECT kvrace
}

// Table returns the route table of a site; an unknown site has an empty one.
func (s *Service) Table(ctx context.Context, siteID string) (RouteTable, error) {
	b, err := s.store.Get(ctx, tableKey(siteID))
	if err != nil {
		return RouteTable{}, fmt.Errorf("routing: table %s: %w", siteID, err)
	}
	if len(b) == 0 { // EXPECT kvnull
		return RouteTable{SiteID: siteID, Routes: map[string]string{}}, nil
	}
	var t RouteTable
	if err := json.Unmarshal(b, &t); err != nil {
		return RouteTable{}, err
	}
	return t, nil
}

// LoadOrInit returns the table of a site, creating an empty one on first use.
func (s *Service) LoadOrInit(ctx context.Context, siteID, defaultTarget string) (RouteTable, error) {
	t, err := s.tables.Load(ctx, siteID) // EXPECT kvnull
	if err != nil {
		t = RouteTable{
			SiteID:    siteID,
			Version:   1,
			Routes:    map[string]string{},
			Default:   defaultTarget,
			UpdatedAt: time.Now().UTC(),
		}
		if err := s.tables.Save(ctx, t); err != nil {
			return RouteTable{}, err
		}
	}
	return t, nil
}

// SetRoute points prefix at target on siteID's table.
func (s *Service) SetRoute(ctx context.Context, siteID, prefix, target string) error {
	if !strings.HasPrefix(prefix, "/") {
		return fmt.Errorf("routing: prefix %q must start with /", prefix)
	}
	return repo.Mutate(ctx, s.store, tableKey(siteID), 0, func(t *RouteTable) error {
		if t.Routes == nil {
			t.Routes = map[string]string{}
		}
		t.SiteID = siteID
		t.Routes[prefix] = target
		t.Version++
		t.UpdatedAt = time.Now().UTC()
		return nil
	})
}

// SetBanner shows msg on every page of the site while a deploy propagates.
func (s *Service) SetBanner(ctx context.Context, siteID, msg string) error {
	key := consts.PrefixBanner.Key(siteID)
	return s.store.Put(ctx, key, []byte(msg), consts.DeployBannerTTL) // EXPECT kvttl
}

// ExportAll writes every route table as one JSON object per line.
func (s *Service) ExportAll(ctx context.Context, w io.Writer) error {
	enc := json.NewEncoder(w)
	for k, err := range storage.Keys(ctx, s.store, string(consts.PrefixRoute), s.pageSize, s.maxPages) {
		if err != nil {
			return err
		}
		b, err := s.store.Get(ctx, k.Name) // EXPECT kvlist
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return err
		}
		if err := enc.Encode(json.RawMessage(b)); err != nil {
			return err
		}
	}
	return nil
}
