// Command flagctl is the operator CLI: flag changes, publishing, promotion
// between environments, SDK keys, exports and migrations.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strconv"
	"time"

	"example.com/flagship/internal/apikeys"
	"example.com/flagship/internal/audit"
	"example.com/flagship/internal/cfapi"
	"example.com/flagship/internal/config"
	"example.com/flagship/internal/console"
	"example.com/flagship/internal/envsync"
	"example.com/flagship/internal/export"
	"example.com/flagship/internal/flags"
	"example.com/flagship/internal/legacykv"
	"example.com/flagship/internal/migrate"
	"example.com/flagship/internal/segments"
	"example.com/flagship/internal/storage/cfkv"
)

type app struct {
	cfg *config.Config
	cf  *cfapi.Clients
}

func (a *app) open(ns string) *cfkv.Adapter { return cfkv.New(a.cf.V6, a.cfg.AccountID, ns) }

// env returns the namespace ID and adapter of an environment.
func (a *app) env(name string) (string, *cfkv.Adapter) {
	ns, err := a.cfg.EnvNamespace(name)
	if err != nil {
		fail(err)
	}
	return ns, a.open(ns)
}

func (a *app) repo(env string) *flags.Repo { _, kv := a.env(env); return flags.NewRepo(kv, env) }

func (a *app) syncer() *envsync.Syncer {
	return &envsync.Syncer{API: a.cf.Legacy, Account: a.cfg.AccountID, Resolve: a.cfg.EnvNamespace,
		Open: func(ns string) envsync.Namespace { return a.open(ns) }, LockTTL: a.cfg.LockTTL.Duration}
}

func (a *app) keys() *apikeys.Service {
	return apikeys.New(a.open(a.cfg.Namespaces.Keys), a.cf.V6, a.cfg.AccountID, a.cfg.Namespaces.Keys)
}

func (a *app) migrateEnv(env string) *migrate.Env {
	ns, kv := a.env(env)
	return &migrate.Env{Legacy: legacykv.New(a.cf.Legacy, a.cfg.AccountID), CF: a.cf.V6, Account: a.cfg.AccountID,
		Namespace: ns, Envs: []string{env}, Store: kv, Bulk: kv}
}

func readFlags(path string) []flags.Flag {
	var defs []flags.Flag
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &defs)
	}
	if err != nil {
		fail(err)
	}
	return defs
}

// each applies fn to every flag in a JSON file.
func each(path string, fn func(flags.Flag) error) (any, error) {
	for _, f := range readFlags(path) {
		if err := fn(f); err != nil {
			return nil, fmt.Errorf("%s: %w", f.Key, err)
		}
	}
	return "ok", nil
}

type handler func(ctx context.Context, a *app, args []string) (any, error)

type command struct {
	usage string
	nargs int
	run   handler
}

var commands = map[string]command{
	"create": {"create <env> <flags.json>", 2, func(ctx context.Context, a *app, args []string) (any, error) {
		return each(args[1], func(f flags.Flag) error { return a.repo(args[0]).Create(ctx, f) })
	}},
	"schedule": {"schedule <env> <flags.json>", 2, func(ctx context.Context, a *app, args []string) (any, error) {
		return each(args[1], func(f flags.Flag) error { return a.repo(args[0]).SaveScheduled(ctx, f) })
	}},
	"toggle": {"toggle <env> <flag> <on|off>", 3, func(ctx context.Context, a *app, args []string) (any, error) {
		return "ok", a.repo(args[0]).SetEnabled(ctx, args[1], args[2] == "on")
	}},
	"publish": {"publish <env> <flags.json> <version> [incremental]", 3, func(ctx context.Context, a *app, args []string) (any, error) {
		v, err := strconv.Atoi(args[2])
		if err != nil {
			return nil, err
		}
		_, kv := a.env(args[0])
		if len(args) > 3 && args[3] == "incremental" {
			return "ok", flags.Publish(ctx, kv, args[0], readFlags(args[1]), v)
		}
		return "ok", flags.PublishBatch(ctx, kv, args[0], readFlags(args[1]), v)
	}},
	"promote": {"promote <from> <to>", 2, func(ctx context.Context, a *app, args []string) (any, error) {
		res, err := a.syncer().Promote(ctx, args[0], args[1], os.Getenv("USER"))
		if err != nil {
			return res, err
		}
		e := audit.Entry{At: time.Now().UTC(), Actor: os.Getenv("USER"), Action: "promote", Target: args[0] + "->" + args[1]}
		return res, audit.New(a.open(a.cfg.Namespaces.Audit)).AddToDigest(ctx, e)
	}},
	"diff": {"diff <from> <to>", 2, func(ctx context.Context, a *app, args []string) (any, error) {
		d, err := a.syncer().Compare(ctx, args[0], args[1])
		if err != nil {
			return nil, err
		}
		changed, err := a.syncer().Changed(ctx, args[0], args[1])
		return map[string]any{"only_in": d.OnlyIn, "changed": changed}, err
	}},
	"probe": {"probe <env>", 1, func(ctx context.Context, a *app, args []string) (any, error) {
		return a.syncer().Probe(ctx, args[0])
	}},
	"ls": {"ls <env> <prefix>", 2, func(ctx context.Context, a *app, args []string) (any, error) {
		_, kv := a.env(args[0])
		return kv.ListAll(ctx, args[1])
	}},
	"export": {"export <env> <inventory|definitions|summary>", 2, func(ctx context.Context, a *app, args []string) (any, error) {
		ns, kv := a.env(args[0])
		e := &export.Exporter{CF: a.cf.V6, Account: a.cfg.AccountID, Namespace: ns, Store: kv,
			MaxPages: a.cfg.MaxExportPages, Deadline: a.cfg.ExportDeadline.Duration}
		switch args[1] {
		case "inventory":
			return e.Inventory(ctx, os.Stdout)
		case "definitions":
			return e.Definitions(ctx, args[0], os.Stdout)
		}
		return e.Summarize(ctx, args[0])
	}},
	"migrate": {"migrate <env>", 1, func(ctx context.Context, a *app, args []string) (any, error) {
		return migrate.Run(ctx, a.migrateEnv(args[0]))
	}},
	"seed-loadtest": {"seed-loadtest <env>", 1, func(ctx context.Context, a *app, args []string) (any, error) {
		return migrate.SeedLoadTest(ctx, a.migrateEnv(args[0]), args[0])
	}},
	"keys-issue": {"keys-issue <project> <env> <days>", 3, func(ctx context.Context, a *app, args []string) (any, error) {
		days, err := strconv.Atoi(args[2])
		if err != nil {
			return nil, err
		}
		secret, rec, err := a.keys().Issue(ctx, args[0], args[1], os.Getenv("USER"), time.Duration(days)*24*time.Hour)
		return map[string]any{"secret": secret, "record": rec}, err
	}},
	"keys-revoke": {"keys-revoke <secret>", 1, func(ctx context.Context, a *app, args []string) (any, error) {
		return "revoked", a.keys().Revoke(ctx, args[0])
	}},
	"keys-block": {"keys-block <key-id> <reason>", 2, func(ctx context.Context, a *app, args []string) (any, error) {
		return "blocked", a.keys().RevokeByID(ctx, args[0], os.Getenv("USER"), args[1])
	}},
	"invite": {"invite <email> <role>", 2, func(ctx context.Context, a *app, args []string) (any, error) {
		kv := a.open(a.cfg.Namespaces.Sessions)
		inv := console.NewInvitations(kv, console.NewSessions(kv, a.cfg.SessionTTL.Duration), a.cfg.InviteTTL.Duration)
		return inv.Invite(ctx, args[0], args[1], os.Getenv("USER"))
	}},
	"audit-tail": {"audit-tail <yyyy-mm-dd>", 1, func(ctx context.Context, a *app, args []string) (any, error) {
		return audit.New(a.open(a.cfg.Namespaces.Audit)).Tail(ctx, args[0], 100)
	}},
	"segment-add": {"segment-add <env> <segment> <user>...", 3, func(ctx context.Context, a *app, args []string) (any, error) {
		ns, _ := a.env(args[0])
		c := &segments.Client{CF: a.cf.V6, Account: a.cfg.AccountID, Namespace: ns}
		return "ok", c.Add(ctx, args[0], args[1], args[2:]...)
	}},
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "flagctl:", err)
	os.Exit(1)
}

func main() {
	cmd, ok := commands[append(os.Args, "")[1]]
	if !ok || len(os.Args)-2 < cmd.nargs {
		names := make([]string, 0, len(commands))
		for n := range commands {
			names = append(names, commands[n].usage)
		}
		sort.Strings(names)
		for _, n := range names {
			fmt.Fprintln(os.Stderr, "  flagctl", n)
		}
		os.Exit(2)
	}
	cfg, err := config.Load(os.Getenv("FLAGSHIP_CONFIG"), nil)
	if err != nil {
		fail(err)
	}
	cf, err := cfapi.New(cfg)
	if err != nil {
		fail(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cfg.ExportDeadline.Duration)
	defer cancel()
	out, err := cmd.run(ctx, &app{cfg: cfg, cf: cf}, os.Args[2:])
	if err != nil {
		fail(err)
	}
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	_ = enc.Encode(out)
}
