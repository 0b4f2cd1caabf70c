// Package migrate upgrades stored documents between schema versions.
package migrate

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strconv"

	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/ops"
)

// Migration rewrites every value under Prefix.
type Migration struct {
	Version   int
	Name      string
	Prefix    string
	Transform func(key string, v []byte) ([]byte, error)
}

const (
	versionKey    = "migrations:version"
	checkpointKey = "migrations:checkpoint"
	pageSize      = 1000
)

type Runner struct {
	exec ops.Exec
	all  []Migration
	log  *slog.Logger
}

func NewRunner(exec ops.Exec, log *slog.Logger, ms ...Migration) *Runner {
	ms = slices.Clone(ms)
	slices.SortFunc(ms, func(a, b Migration) int { return a.Version - b.Version })
	return &Runner{exec: exec, all: ms, log: log}
}

// Current returns the stored schema version (0 when none is stored).
func (r *Runner) Current(ctx context.Context) (int, error) {
	res, err := r.exec(ctx, ops.Get(versionKey))
	if err != nil || !res.Found {
		return 0, err
	}
	return strconv.Atoi(string(res.Value))
}

// Run applies every pending migration in order.
func (r *Runner) Run(ctx context.Context) error {
	cur, err := r.Current(ctx)
	if err != nil {
		return err
	}
	applied := cur
	var runErr error
	for _, m := range r.all {
		if m.Version <= cur {
			continue
		}
		r.log.InfoContext(ctx, "migrating", "version", m.Version, "name", m.Name)
		if err := r.rewriteAll(ctx, m); err != nil {
			runErr = fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
			break
		}
		applied = m.Version
	}
	if applied == cur {
		return runErr
	}
	// Record progress once, also when a later migration failed, so a rerun
	// starts after the last one that completed.
	return errors.Join(runErr, r.exec.Do(ctx, ops.Put(versionKey, []byte(strconv.Itoa(applied)), 0)))
}

func (r *Runner) rewriteAll(ctx context.Context, m Migration) error {
	cursor := ""
	for {
		page, err := r.exec(ctx, ops.List(m.Prefix, cursor, pageSize)) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, key := range page.Keys {
			res, err := r.exec(ctx, ops.Get(key)) // EXPECT kvlist
			if err != nil {
				return err
			}
			if !res.Found {
				continue
			}
			out, err := m.Transform(key, res.Value)
			if err != nil {
				r.log.WarnContext(ctx, "skipping document", "key", key, "err", err)
				continue
			}
			if err := r.exec.Do(ctx, ops.Put(key, out, 0)); err != nil { // DEBATABLE kvrace
				return err
			}
			if err := r.exec.Do(ctx, ops.Put(checkpointKey, []byte(key), 0)); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
	}
}

// Default is the platform's migration history.
func Default() []Migration {
	return []Migration{
		{Version: 1, Name: "episode-wire-v2", Prefix: "episode:", Transform: func(_ string, v []byte) ([]byte, error) {
			var ep domain.Episode // re-encode through the current codec
			if err := json.Unmarshal(v, &ep); err != nil {
				return nil, err
			}
			return json.Marshal(ep)
		}},
		{Version: 2, Name: "show-tags", Prefix: "show:", Transform: func(_ string, v []byte) ([]byte, error) {
			var doc map[string]any
			if err := json.Unmarshal(v, &doc); err != nil {
				return nil, err
			}
			if _, ok := doc["tags"]; !ok {
				doc["tags"] = []string{}
			}
			return json.Marshal(doc)
		}},
	}
}
