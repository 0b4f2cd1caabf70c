package main

import (
	"context"
	"errors"

	"example.com/gateway/internal/apikeys"
	"example.com/gateway/internal/config"
	"example.com/gateway/internal/routes"
	"example.com/gateway/internal/usage"
)

// database is the admin database client. The real one talks to Postgres;
// this build ships the interface only.
type database struct{ dsn string }

func openDatabase(cfg config.Config) *database { return &database{dsn: cfg.ListenAddr} }

var errNoDatabase = errors.New("database not configured")

func (d *database) LookupByHash(context.Context, string) (apikeys.Record, error) {
	return apikeys.Record{}, apikeys.ErrUnknownKey
}
func (d *database) Insert(context.Context, apikeys.Record) error        { return errNoDatabase }
func (d *database) Routes(context.Context) ([]routes.Route, error)      { return nil, errNoDatabase }
func (d *database) Retired(context.Context, []string) ([]string, error) { return nil, nil }

// consumeLogPush reads request counts from the log-push queue.
func consumeLogPush(ctx context.Context, out chan<- usage.Hit) error {
	defer close(out)
	<-ctx.Done()
	return ctx.Err()
}
