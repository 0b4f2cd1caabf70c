// Package upstream caches an upstream API's answers in KV. Its Service
// holds the upstream Provider and satisfies Provider itself: the program
// wires an HTTP client as the Provider, so a call of Provider.Status is
// no KV get (and the command prints no -kvapi.interfaces entry for it).
package upstream

import (
	"context"
	"io"
	"net/http"
	"strings"
	"time"

	"kvlint.test/ports/kvstore"
	"kvlint.test/ports/sweeps"
)

type Provider interface {
	Status(ctx context.Context, id string) ([]byte, error)
}

type HTTPProvider struct {
	Client *http.Client
	Base   string
}

func (p HTTPProvider) Status(ctx context.Context, id string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.Base+"/status/"+id, nil)
	if err != nil {
		return nil, err
	}
	res, err := p.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	return io.ReadAll(res.Body)
}

type Service struct {
	Store    *kvstore.KV
	Provider Provider
}

func statusKey(id string) string { return "status:" + id }

// Status answers from the cache, and asks the upstream on a miss.
func (s *Service) Status(ctx context.Context, id string) ([]byte, error) {
	if v, err := s.Store.Get(ctx, statusKey(id)); err == nil {
		return v, nil
	}
	return s.Provider.Status(ctx, id)
}

// Refresh writes what the upstream says now.
func (s *Service) Refresh(ctx context.Context, id string) error {
	fresh, err := s.Provider.Status(ctx, id)
	if err != nil {
		return err
	}
	fresh = append(fresh, '\n')
	return s.Store.Set(ctx, statusKey(id), fresh, 10*time.Minute)
}

// RefreshListed refreshes the first page of cached statuses.
func (s *Service) RefreshListed(ctx context.Context, pages sweeps.Pages) (string, error) {
	page, err := pages.List(ctx, sweeps.Query{Prefix: "status:", Limit: 100})
	if err != nil {
		return "", err
	}
	for _, name := range page.Names {
		if err := s.Refresh(ctx, strings.TrimPrefix(name, "status:")); err != nil {
			return "", err
		}
	}
	return page.Cursor, nil
}
