// Package api wires the domain services to HTTP through go-kit style
// endpoints. The Worker entry point decides which handler serves a path.
package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"

	"example.com/quarry/internal/accounts"
	"example.com/quarry/internal/auth"
	"example.com/quarry/internal/cache"
	"example.com/quarry/internal/config"
	"example.com/quarry/internal/endpoint"
	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/maintenance"
	"example.com/quarry/internal/metrics"
	"example.com/quarry/internal/orders"
	"example.com/quarry/internal/outbox"
	"example.com/quarry/internal/projection"
	"example.com/quarry/internal/quota"
	"example.com/quarry/internal/reports"
	"example.com/quarry/internal/storage"
)

// Deps are the things the services are built from.
type Deps struct {
	Config *config.Config
	Store  storage.Store
	Cache  *cache.Cache
	Runner reports.Runner
}

// Services is the set of domain services behind the API.
type Services struct {
	Accounts  *accounts.Service
	Orders    *orders.Service
	Views     *metrics.Views
	Downloads *metrics.Downloads
	Board     *metrics.Board
	Reports   *reports.Service
	Outbox    *outbox.Outbox
	Quota     *quota.Limiter
	Tokens    *auth.Tokens
	Runs      *projection.Projector
	Maint     *maintenance.Migrator
	Cache     *cache.Cache

	store storage.Store
}

func NewServices(d Deps) *Services {
	c, k := d.Config, d.Config.Keys
	return &Services{
		Accounts:  accounts.NewService(d.Store, k),
		Orders:    orders.NewService(d.Store, k.Cart, k.Order, c.Session.TTL.Duration),
		Views:     metrics.NewViews(d.Store, k.Views, c.Metrics.ViewShards),
		Downloads: metrics.NewDownloads(d.Store, k.Downloads),
		Board:     metrics.NewBoard(d.Store, k.Leaderboard, c.Metrics.LeaderboardSize),
		Reports:   reports.NewService(d.Cache, d.Store, d.Runner, k, c.Cache),
		Outbox:    outbox.New(d.Store, k, c.Outbox),
		Quota:     quota.New(d.Store, k.Bucket, c.Quota),
		Tokens:    auth.NewTokens(d.Store, k, c.Session),
		Runs:      projection.New(d.Store, k.Events, k.Projection, c.Admin.ProjectionPageBudget),
		Maint:     maintenance.New(d.Store, c.Admin),
		Cache:     d.Cache,
		store:     d.Store,
	}
}

// Handlers exposes one http.Handler per route; the Worker's router picks.
type Handlers struct {
	ClaimSlug, UpdateLimits, GetReport, Preview, Dashboard, Score http.Handler
	AddToCart, PlaceOrder, BillingWebhook, Banner, Download       http.Handler
	RefreshToken                                                  http.Handler
}

func NewHandlers(s *Services) *Handlers {
	j := endpoint.EncodeJSON
	return &Handlers{
		ClaimSlug:      endpoint.NewServer(makeClaimSlugEndpoint(s), withAccount(decodeClaimSlug), j),
		UpdateLimits:   endpoint.NewServer(makeUpdateLimitsEndpoint(s), withAccount(decodeUpdateLimits), j),
		GetReport:      endpoint.NewServer(makeGetReportEndpoint(s), withAccount(decodeReport), j),
		Preview:        endpoint.NewServer(makePreviewEndpoint(s), withAccount(decodeReport), j),
		Dashboard:      endpoint.NewServer(makeDashboardEndpoint(s), withAccount(decodeReport), j),
		Score:          endpoint.NewServer(makeSubmitScoreEndpoint(s), decodeScore, j),
		AddToCart:      endpoint.NewServer(makeAddToCartEndpoint(s), decodeCartItem, j),
		PlaceOrder:     endpoint.NewServer(makePlaceOrderEndpoint(s), withAccount(decodePlaceOrder), j),
		BillingWebhook: endpoint.NewServer(makeBillingWebhookEndpoint(s), bodyOf[webhookRequest], j),
		RefreshToken:   endpoint.NewServer(makeRefreshEndpoint(s), bodyOf[refreshRequest], j),
		Banner:         endpoint.NewServer(makeBannerEndpoint(s), bodyOf[bannerRequest], j),
		Download:       endpoint.NewServer(makeDownloadEndpoint(s), decodeArtifact, j),
	}
}

type userKey struct{}

// WithUser marks the request as made by the signed-in account.
func WithUser(ctx context.Context, acct ids.AccountID) context.Context {
	return context.WithValue(ctx, userKey{}, acct)
}

func userFrom(ctx context.Context) (ids.AccountID, bool) {
	a, ok := ctx.Value(userKey{}).(ids.AccountID)
	return a, ok && a != ""
}

// after returns the path segment that follows name, e.g. after(r, "orders")
// on /v1/accounts/acme/orders/abc is "abc".
func after(r *http.Request, name string) string {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == name {
			return parts[i+1]
		}
	}
	return ""
}

// withAccount adapts a decoder that needs the account named in the path.
func withAccount(f func(r *http.Request, acct ids.AccountID) (any, error)) endpoint.DecodeRequestFunc {
	return func(_ context.Context, r *http.Request) (any, error) {
		acct, err := ids.ParseAccountID(after(r, "accounts"))
		if err != nil {
			return nil, err
		}
		return f(r, acct)
	}
}

func decodeBody(r *http.Request, v any) error {
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(v); err != nil {
		return endpoint.BadRequest("decode body: %v", err)
	}
	return nil
}

// bodyOf decodes the JSON body into a T.
func bodyOf[T any](_ context.Context, r *http.Request) (any, error) {
	var v T
	return v, decodeBody(r, &v)
}
