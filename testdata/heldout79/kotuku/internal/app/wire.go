//go:build wireinject

package app

import (
	"github.com/google/wire"

	"github.com/kotuku-market/kotuku/internal/alerts"
	"github.com/kotuku-market/kotuku/internal/auth"
	"github.com/kotuku-market/kotuku/internal/httpapi"
	"github.com/kotuku-market/kotuku/internal/readmodel"
	"github.com/kotuku-market/kotuku/internal/search"
	"github.com/kotuku-market/kotuku/internal/seller"
)

func InitializeServer(s Settings, mail alerts.Mailer, ids httpapi.IDs) (*httpapi.Server, error) {
	wire.Build(
		provideNamespace, provideLogger, provideLoader, provideSearcher,
		provideDispatcher, provideRepository,
		wire.Bind(new(readmodel.Loader), new(*ListingLoader)),
		search.NewIndex,
		readmodel.NewCategories, readmodel.NewPriceHistory, readmodel.NewShowcase, readmodel.NewSearchProjector,
		alerts.NewService, auth.NewSessions, seller.NewRepository,
		httpapi.NewServer,
	)
	return nil, nil
}
