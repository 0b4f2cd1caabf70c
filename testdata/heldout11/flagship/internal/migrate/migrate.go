// Package migrate applies ordered, idempotent data migrations to the edge
// namespace. The schema version records how many have been applied.
package migrate

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"

	"example.com/flagship/internal/flags"
	"example.com/flagship/internal/legacykv"
	"example.com/flagship/internal/storage"
)

// Env is what a migration may touch.
type Env struct {
	Legacy    *legacykv.Client
	CF        *cloudflare.Client
	Account   string
	Namespace string
	Envs      []string
	Store     storage.Store
	Bulk      flags.BulkGetter
}

// Migration is one step.
type Migration struct {
	ID string
	Up func(ctx context.Context, e *Env) error
}

// All lists migrations in the order they must run.
var All = []Migration{
	{ID: "0001-flag-prefix", Up: renamePrefix},
	{ID: "0002-split-targeting", Up: splitTargeting},
	{ID: "0003-archive-retired", Up: archiveRetired},
}

const schemaKey = "schema/version"

// Run applies every migration newer than the stored schema version.
func Run(ctx context.Context, e *Env) ([]string, error) {
	version := 0
	raw, err := e.Legacy.Read(ctx, e.Namespace, schemaKey)
	switch {
	case err == nil:
		if version, err = strconv.Atoi(string(raw)); err != nil {
			return nil, fmt.Errorf("migrate: %s is not a number: %w", schemaKey, err)
		}
	case !errors.Is(err, legacykv.ErrMissing):
		return nil, err
	}
	var done []string
	var runErr error
	for _, m := range All[min(version, len(All)):] {
		slog.Info("applying migration", "id", m.ID, "from_version", version)
		if runErr = m.Up(ctx, e); runErr != nil {
			runErr = fmt.Errorf("migrate %s: %w", m.ID, runErr)
			break
		}
		done = append(done, m.ID)
	}
	if len(done) > 0 {
		if err := bumpSchema(ctx, e, len(done)); err != nil {
			return done, err
		}
	}
	return done, runErr
}

// bumpSchema advances the schema version edge SDKs check before decoding.
func bumpSchema(ctx context.Context, e *Env, n int) error {
	v := 0
	raw, err := e.Legacy.Read(ctx, e.Namespace, schemaKey)
	switch {
	case err == nil:
		if v, err = strconv.Atoi(string(raw)); err != nil {
			return fmt.Errorf("migrate: %s is not a number: %w", schemaKey, err)
		}
	case !errors.Is(err, legacykv.ErrMissing):
		return err
	}
	return e.Legacy.Write(ctx, e.Namespace, schemaKey, []byte(strconv.Itoa(v+n))) // EXPECT kvcounter|kvrace
}
