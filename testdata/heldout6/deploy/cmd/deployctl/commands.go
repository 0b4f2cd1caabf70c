package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"example.com/deploy/internal/audit"
	"example.com/deploy/internal/daemon"
	"example.com/deploy/internal/flags"
	"example.com/deploy/internal/gc"
	"example.com/deploy/internal/migrate"
	"example.com/deploy/internal/releases"
)

// command is one deployctl subcommand.
type command func(ctx context.Context, args []string) error

// arity wraps fn so it only runs with at least n arguments.
func arity(n int, usage string, fn command) command {
	return func(ctx context.Context, args []string) error {
		if len(args) < n {
			return fmt.Errorf("usage: %s", usage)
		}
		return fn(ctx, args)
	}
}

// show prints v as indented JSON.
func show[T any](v T, err error) error {
	if err != nil {
		return err
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func paged[T any](items T, cursor string, err error) error {
	return show(map[string]any{"items": items, "cursor": cursor}, err)
}

// withDuration parses args[0] as a duration and passes the rest on.
func withDuration(fn func(ctx context.Context, d time.Duration, rest []string) error) command {
	return func(ctx context.Context, args []string) error {
		d, err := time.ParseDuration(args[0])
		if err != nil {
			return err
		}
		return fn(ctx, d, args[1:])
	}
}

func (a *App) commands() map[string]command {
	return map[string]command{
		"serve": func(ctx context.Context, _ []string) error { return daemon.Serve(ctx, a.cfg.ListenAddr, a.routes()) },
		"flag:create": arity(2, "flag:create NAME PERCENT", func(ctx context.Context, args []string) error {
			pct, err := strconv.Atoi(args[1])
			if err != nil {
				return err
			}
			return a.flags.Create(ctx, flags.Flag{Name: args[0], Rollout: pct, Enabled: pct > 0})
		}),
		"flag:rollout": arity(2, "flag:rollout NAME PERCENT", func(ctx context.Context, args []string) error {
			pct, err := strconv.Atoi(args[1])
			if err != nil {
				return err
			}
			return show(a.flags.SetRollout(ctx, args[0], pct))
		}),
		"flag:list": func(ctx context.Context, _ []string) error { return show(a.flags.List(ctx)) },
		"lock:acquire": arity(2, "lock:acquire ENV OWNER [REASON...]", func(ctx context.Context, args []string) error {
			return show(a.locks.Acquire(ctx, args[0], args[1], strings.Join(args[2:], " ")))
		}),
		"lock:freeze": arity(3, "lock:freeze ENV OWNER UNTIL", func(ctx context.Context, args []string) error {
			until, err := time.Parse(time.RFC3339, args[2])
			if err != nil {
				return err
			}
			return a.locks.Freeze(ctx, args[0], args[1], until)
		}),
		"release:promote": arity(4, "release:promote APP ENV VERSION ACTOR", func(ctx context.Context, args []string) error {
			return show(a.promote(ctx, args[0], args[1], args[2], args[3]))
		}),
		"release:preview": arity(3, "release:preview APP VERSION ACTOR", func(ctx context.Context, args []string) error {
			return show(a.releases.Preview(ctx, args[0], args[1], args[2]))
		}),
		"release:note": arity(3, "release:note APP VERSION TEXT...", func(ctx context.Context, args []string) error {
			return a.releases.AddNote(ctx, args[0], args[1], strings.Join(args[2:], " "))
		}),
		"release:versions": arity(1, "release:versions APP [CURSOR]", func(ctx context.Context, args []string) error {
			return paged(a.releases.Versions(ctx, args[0], optional(args, 1), 100))
		}),
		"canary:start": arity(5, "canary:start APP ENV VERSION STEP WINDOW", func(ctx context.Context, args []string) error {
			step, err := strconv.Atoi(args[3])
			if err != nil {
				return err
			}
			window, err := time.ParseDuration(args[4])
			if err != nil {
				return err
			}
			return show(a.canary.Start(ctx, args[0], args[1], args[2], step, window))
		}),
		"canary:advance": arity(2, "canary:advance APP ENV", func(ctx context.Context, args []string) error {
			return show(a.canary.Advance(ctx, args[0], args[1]))
		}),
		"token:create": arity(2, "token:create PROJECT NAME [SCOPE...]", func(ctx context.Context, args []string) error {
			return printSecret(a.tokens.Create(ctx, args[0], args[1], args[2:]))
		}),
		"token:rotate": arity(1, "token:rotate ID", func(ctx context.Context, args []string) error {
			return printSecret(a.tokens.Rotate(ctx, args[0]))
		}),
		"token:revoke": arity(1, "token:revoke ID", func(ctx context.Context, args []string) error {
			return a.tokens.Revoke(ctx, args[0])
		}),
		"token:revoke-project": arity(1, "token:revoke-project PROJECT", func(ctx context.Context, args []string) error {
			return show(a.tokens.RevokeProject(ctx, args[0]))
		}),
		"token:bootstrap": arity(1, "token:bootstrap PROJECT", func(ctx context.Context, args []string) error {
			return show(a.tokens.IssueBootstrap(ctx, args[0]))
		}),
		"audit:query": arity(2, "audit:query ENV DAY [CURSOR]", func(ctx context.Context, args []string) error {
			day, err := time.Parse(time.DateOnly, args[1])
			if err != nil {
				return err
			}
			return paged(a.audit.Query(ctx, args[0], day, optional(args, 2)))
		}),
		"artifact:quarantine": arity(2, "artifact:quarantine DURATION DIGEST...", withDuration(
			func(ctx context.Context, d time.Duration, digests []string) error {
				return a.artifacts.Quarantine(ctx, digests, d)
			})),
		"artifact:pin": arity(2, "artifact:pin DURATION DIGEST...", withDuration(
			func(ctx context.Context, d time.Duration, digests []string) error {
				return a.artifacts.Pin(ctx, digests, d)
			})),
		"artifact:prune": arity(1, "artifact:prune OLDER_THAN", withDuration(
			func(ctx context.Context, d time.Duration, _ []string) error { return show(a.artifacts.Prune(ctx, d)) })),
		"gc": arity(1, "gc APP:ENV[,APP:ENV...]", a.runGC),
		"migrate": arity(2, "migrate SRC_NAMESPACE DST_NAMESPACE [PREFIX]", func(ctx context.Context, args []string) error {
			c := migrate.New(a.open("src", args[0]), a.open("dst", args[1]),
				migrate.WithPrefix(optional(args, 2)), migrate.WithWorkers(a.cfg.Workers), migrate.WithLogger(a.log))
			return show(c.Run(ctx))
		}),
	}
}

func optional(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

func printSecret[T any](secret string, _ T, err error) error {
	if err == nil {
		fmt.Println(secret)
	}
	return err
}

// promote moves the live pointer and writes the audit trail.
func (a *App) promote(ctx context.Context, app, env, version, actor string) (releases.Pointer, error) {
	p, err := a.releases.Promote(ctx, app, env, version, actor)
	if err != nil {
		return p, err
	}
	return p, a.audit.Record(ctx, audit.Event{App: app, Env: env, Version: version, Actor: actor, Action: "promote"})
}

// runGC collects manifests not live in any of the given app:env pairs.
func (a *App) runGC(ctx context.Context, args []string) error {
	col := gc.New(a.open("releases", a.cfg.Namespaces.Releases), []string{"manifest/", "notes/"},
		30*24*time.Hour, a.cfg.TombstoneTTL, a.cfg.Workers, a.log)
	col.Live = func(ctx context.Context) (map[string]bool, error) {
		live := map[string]bool{}
		for _, pair := range strings.Split(args[0], ",") {
			app, env, _ := strings.Cut(pair, ":")
			p, err := a.releases.Current(ctx, app, env)
			if err != nil {
				return nil, fmt.Errorf("current %s: %w", pair, err)
			}
			live[app+"/"+p.Version] = true
		}
		return live, nil
	}
	return show(col.Run(ctx))
}
