//go:build !js

// Command backend runs one of the KV batch jobs:
//
//	backend settle | export | prune | reconcile <file> | revoke <file> | defaults zone...
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"firecrest/internal/backend"
)

var jobs = map[string]func(ctx context.Context, env *backend.Env, args []string) error{
	"settle": func(ctx context.Context, env *backend.Env, _ []string) error {
		return backend.SettleShifts(ctx, env)
	},
	"export": func(ctx context.Context, env *backend.Env, _ []string) error {
		return backend.ExportProofs(ctx, env)
	},
	"prune": func(ctx context.Context, env *backend.Env, _ []string) error {
		return backend.PruneExports(ctx, env)
	},
	"reconcile": func(ctx context.Context, env *backend.Env, args []string) error {
		var rows []backend.ZoneDemand
		if err := readJSON(args, &rows); err != nil {
			return err
		}
		return backend.ReconcileSurge(ctx, env, rows)
	},
	"revoke": func(ctx context.Context, env *backend.Env, args []string) error {
		var off backend.Offboarding
		if err := readJSON(args, &off); err != nil {
			return err
		}
		return backend.RevokeCourier(ctx, env, off)
	},
	"defaults": func(ctx context.Context, env *backend.Env, args []string) error {
		return backend.PublishZoneDefaults(ctx, env, args)
	},
	"handle": func(ctx context.Context, env *backend.Env, args []string) error {
		if len(args) != 2 {
			return fmt.Errorf("usage: handle <handle> <courier>")
		}
		return backend.ClaimHandle(ctx, env, args[0], args[1])
	},
	"sweep-devices": func(ctx context.Context, env *backend.Env, _ []string) error {
		return backend.SweepDeviceBindings(ctx, env)
	},
}

func readJSON(args []string, v any) error {
	if len(args) != 1 {
		return fmt.Errorf("expected one JSON file")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	return json.Unmarshal(b, v)
}

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		log.Fatal("usage: backend <job> [args]")
	}
	job, ok := jobs[os.Args[1]]
	if !ok {
		log.Fatalf("unknown job %q", os.Args[1])
	}
	env := backend.NewEnv(
		os.Getenv("CF_API_TOKEN"),
		os.Getenv("CF_ACCOUNT_ID"),
		os.Getenv("KV_DISPATCH_ID"),
		os.Getenv("KV_AUTH_ID"),
		os.Getenv("KV_PROOFS_ID"),
	)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 20*time.Minute)
	defer cancel()
	if err := job(ctx, env, os.Args[2:]); err != nil {
		log.Fatalf("%s: %v", os.Args[1], err)
	}
}
