// Package app assembles the backend service. The constructor chain in
// wire_gen.go is generated from the injector in wire.go.
package app

import (
	"context"
	"log/slog"
	"os"

	"github.com/kotuku-market/kotuku/internal/alerts"
	"github.com/kotuku-market/kotuku/internal/kvstore"
	"github.com/kotuku-market/kotuku/internal/listing"
	"github.com/kotuku-market/kotuku/internal/readmodel"
	"github.com/kotuku-market/kotuku/internal/search"
)

// Settings are read once at start-up.
type Settings struct {
	KV         kvstore.Config
	CorpusSize int
}

// ListingLoader breaks the cycle between the repository and the handlers
// that need to read listings: it is bound to the repository after both exist.
type ListingLoader struct{ repo *listing.Repository }

// Load implements readmodel.Loader.
func (l *ListingLoader) Load(ctx context.Context, id uint64) (*listing.Listing, error) {
	return l.repo.Load(ctx, id)
}

func provideLoader() *ListingLoader { return &ListingLoader{} }

func provideNamespace(s Settings) *kvstore.Namespace {
	return kvstore.Open(kvstore.NewClient(s.KV), s.KV)
}

func provideLogger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(os.Stderr, nil))
}

func provideSearcher(ix *search.Index, s Settings) *search.Searcher {
	return search.NewSearcher(ix, s.CorpusSize)
}

func provideDispatcher(c *readmodel.Categories, p *readmodel.PriceHistory, sc *readmodel.Showcase,
	sp *readmodel.SearchProjector, a *alerts.Service) *listing.Dispatcher {
	return listing.NewDispatcher(c, p, sc, sp, a)
}

func provideRepository(ns *kvstore.Namespace, d *listing.Dispatcher, l *ListingLoader) *listing.Repository {
	r := listing.NewRepository(ns, d)
	l.repo = r
	return r
}
