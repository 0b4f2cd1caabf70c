// Command skua-api is the backend for the creator dashboard, billing
// webhooks, listener analytics and RSS imports. It publishes everything the
// edge worker serves into Workers KV through the Cloudflare API.
package main

import (
	"context"
	"slices"

	"github.com/gin-gonic/gin"
	"github.com/robfig/cron/v3"
	"go.uber.org/fx"
	"go.uber.org/fx/fxevent"
	"go.uber.org/zap"

	"github.com/skua-fm/skua/internal/accounts"
	"github.com/skua-fm/skua/internal/analytics"
	"github.com/skua-fm/skua/internal/catalog"
	"github.com/skua-fm/skua/internal/config"
	"github.com/skua-fm/skua/internal/dashboard"
	"github.com/skua-fm/skua/internal/feeds"
	"github.com/skua-fm/skua/internal/httpx"
	"github.com/skua-fm/skua/internal/imports"
	"github.com/skua-fm/skua/internal/kvstore"
	"github.com/skua-fm/skua/internal/subscribers"
)

func main() {
	fx.New(options()).Run()
}

// options is the whole application graph.
func options() fx.Option {
	return fx.Options(
		fx.WithLogger(func(log *zap.Logger) fxevent.Logger { return &fxevent.ZapLogger{Logger: log} }),
		fx.Provide(
			config.Load,
			newLogger,
			kvstore.NewClient,
			fx.Annotate(kvstore.FeedsNamespace, fx.ResultTags(`name:"feeds"`)),
			fx.Annotate(kvstore.AuthNamespace, fx.ResultTags(`name:"auth"`)),
			fx.Annotate(kvstore.StatsNamespace, fx.ResultTags(`name:"stats"`)),
			fx.Annotate(kvstore.ImportsNamespace, fx.ResultTags(`name:"imports"`)),
			catalog.NewSource,
			accounts.New,
			fx.Annotate(feeds.NewService, fx.ParamTags(`name:"feeds"`)),
			feeds.NewHandlers,
			dashboard.NewMailer,
			fx.Annotate(dashboard.NewAuth, fx.ParamTags(`name:"auth"`)),
			fx.Annotate(subscribers.NewTokens, fx.ParamTags(`name:"auth"`)),
			fx.Annotate(analytics.NewRecorder, fx.ParamTags(``, `name:"stats"`)),
			analytics.NewHandlers,
			fx.Annotate(imports.NewRunner, fx.ParamTags(`name:"imports"`, `name:"feeds"`)),
			httpx.NewRouter,
			httpx.NewRequireAdmin,
			newCron,
		),
		fx.Invoke(registerRoutes, scheduleJobs, httpx.Start),
	)
}

func newLogger() (*zap.Logger, error) {
	return zap.NewProduction(zap.Fields(zap.String("service", "skua-api")))
}

// newCron returns the scheduler shared by every package. Specs carry a
// seconds field; descriptors such as @every work as usual.
func newCron(lc fx.Lifecycle, log *zap.Logger) *cron.Cron {
	c := cron.New(
		cron.WithSeconds(),
		cron.WithChain(cron.Recover(cron.DefaultLogger)),
	)
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			c.Start()
			log.Info("cron started", zap.Int("entries", len(c.Entries())))
			return nil
		},
		OnStop: func(ctx context.Context) error {
			select {
			case <-c.Stop().Done():
			case <-ctx.Done():
			}
			return nil
		},
	})
	return c
}

type routeDeps struct {
	fx.In

	Router      *gin.Engine
	Config      config.Config
	Catalog     *catalog.Source
	Auth        *dashboard.Auth
	Feeds       *feeds.Handlers
	Subscribers *subscribers.Tokens
	Analytics   *analytics.Handlers
	Imports     *imports.Runner
	Admin       httpx.RequireAdmin
}

func registerRoutes(d routeDeps) {
	owns := func(ctx context.Context, creatorID, showID string) (bool, error) {
		shows, err := d.Catalog.ShowsByCreator(ctx, creatorID)
		if err != nil {
			return false, err
		}
		return slices.ContainsFunc(shows, func(s catalog.Show) bool { return s.ID == showID }), nil
	}
	requireCreator := dashboard.RequireCreator(d.Auth, owns)
	requireAdmin := gin.HandlerFunc(d.Admin)

	d.Auth.Register(d.Router, requireCreator)
	d.Feeds.Register(d.Router, requireCreator)
	d.Subscribers.Register(d.Router, d.Config)
	d.Analytics.Register(d.Router, requireCreator, requireAdmin)
	d.Imports.Register(d.Router, requireCreator)
}

func scheduleJobs(c *cron.Cron, rec *analytics.Recorder, runner *imports.Runner, cfg config.Config) error {
	if err := analytics.Schedule(c, rec, cfg); err != nil {
		return err
	}
	return runner.Schedule(c)
}
