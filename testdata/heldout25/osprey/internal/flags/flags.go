// Package flags evaluates and edits feature flags. The store is set once at
// start-up with Init; the package-level functions use it.
package flags

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"time"

	"example.com/osprey/internal/codec"
	"example.com/osprey/internal/config"
	"example.com/osprey/internal/domain"
	"example.com/osprey/internal/storage"
)

var (
	store     storage.Store[string, domain.FlagSet]
	snapshots storage.Store[string, map[string]bool]
)

// Init installs the backing store. It must be called before any other
// function of the package.
func Init(raw storage.Raw) {
	store = storage.NewTyped[string, domain.FlagSet](raw, codec.JSON[domain.FlagSet]{})
	snapshots = storage.NewTyped[string, map[string]bool](raw, codec.JSON[map[string]bool]{})
}

func setKey(project string) string { return strings.Join([]string{"flags", project, "set"}, "/") }

func snapshotKey(project, env string, at time.Time) string {
	return fmt.Sprintf("flags/%s/%s/snapshot-%d", project, env, at.Truncate(time.Minute).Unix())
}

// Load returns the project's flags; a project without flags has an empty set.
func Load(ctx context.Context, project string) (domain.FlagSet, error) {
	fs, err := store.Get(ctx, setKey(project))
	if errors.Is(err, storage.ErrNotFound) {
		return domain.FlagSet{Project: project, Flags: map[string]domain.Flag{}}, nil
	}
	return fs, err
}

// Toggle flips one flag in one environment.
func Toggle(ctx context.Context, project, key, env string, on bool) (domain.Flag, error) {
	fs, err := Load(ctx, project)
	if err != nil {
		return domain.Flag{}, err
	}
	f, ok := fs.Flags[key]
	if !ok {
		f = domain.Flag{Key: key, Project: project, Enabled: map[string]bool{}}
	}
	f.Enabled[env] = on
	f.Touch(time.Now())
	fs.Flags[key] = f
	if err := store.Put(ctx, setKey(project), fs); err != nil { // EXPECT kvrace
		return domain.Flag{}, err
	}
	return f, nil
}

// Replace overwrites the whole flag set with one supplied by the caller
// (the dashboard's bulk editor sends the full document).
func Replace(ctx context.Context, project string, flags []domain.Flag) error {
	fs := domain.FlagSet{Project: project, Flags: make(map[string]domain.Flag, len(flags))}
	now := time.Now()
	for _, f := range flags {
		if f.Key == "" {
			continue
		}
		f.Project = project
		f.Touch(now)
		fs.Flags[f.Key] = f
	}
	return store.Put(ctx, setKey(project), fs)
}

// Evaluate reports whether key is on for subject in env.
func Evaluate(fs domain.FlagSet, key, env, subject string) bool {
	f, ok := fs.Flags[key]
	if !ok || !f.Enabled[env] {
		return false
	}
	if f.Rollout <= 0 || f.Rollout >= 100 {
		return f.Rollout != 0 || f.Enabled[env]
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(project(f) + ":" + subject))
	return int(h.Sum32()%100) < f.Rollout
}

func project(f domain.Flag) string { return f.Project }

// PublishSnapshot writes the evaluated flags of one environment for edge
// readers. The key carries the minute, so each publish writes a new key.
func PublishSnapshot(ctx context.Context, project, env string) error {
	fs, err := Load(ctx, project)
	if err != nil {
		return err
	}
	out := make(map[string]bool, len(fs.Flags))
	for k, f := range fs.Flags {
		out[k] = f.Enabled[env]
	}
	ttl := config.Load().Cache.Flags.TTL
	return snapshots.Put(ctx, snapshotKey(project, env, time.Now()), out, storage.WithTTL(ttl))
}
