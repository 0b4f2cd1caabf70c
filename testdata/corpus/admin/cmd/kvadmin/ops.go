package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"example.com/admin/internal/config"
	"example.com/admin/internal/configver"
	"example.com/admin/internal/flags"
	"example.com/admin/internal/kvstore"
	"example.com/admin/internal/lockout"
	"example.com/admin/internal/maintenance"
	"example.com/admin/internal/refresher"
	"example.com/admin/internal/releasenotes"
	"example.com/admin/internal/usage"
	"example.com/admin/internal/warmer"
)

func sub(args []string, what string) (string, []string, error) {
	if len(args) == 0 {
		return "", nil, fmt.Errorf("%s: missing subcommand", what)
	}
	return args[0], args[1:], nil
}

func runRefresh(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("refresh", flag.ContinueOnError)
	ns := fs.String("namespace", config.NSCache, "namespace ID")
	prefix := fs.String("prefix", "", "refresh every key under this prefix")
	key := fs.String("key", "", "refresh a single key")
	valueFile := fs.String("value-file", "", "value for -key")
	extend := fs.Duration("extend", 6*time.Hour, "new lifetime")
	if err := fs.Parse(args); err != nil {
		return err
	}
	r := refresher.New(e.v6, e.account, *ns, *extend)
	if *key != "" {
		b, err := os.ReadFile(*valueFile)
		if err != nil {
			return err
		}
		return r.Key(ctx, *key, string(b))
	}
	n, err := r.Prefix(ctx, *prefix)
	e.log.Info("refreshed", "keys", n)
	return err
}

func runWarm(ctx context.Context, e *env, args []string) error {
	what, rest, err := sub(args, "warm")
	if err != nil {
		return err
	}
	db, err := e.db()
	if err != nil {
		return err
	}
	defer db.Close()
	w := warmer.New(e.v0, e.account, db)

	jobs := map[string]func(context.Context) (int, error){
		"products": w.Products,
		"prices":   w.Prices,
	}
	switch what {
	case "upstreams":
		origins := map[string]string{}
		for _, kv := range rest {
			name, url, ok := strings.Cut(kv, "=")
			if !ok {
				return fmt.Errorf("warm upstreams: want name=url, got %q", kv)
			}
			origins[name] = url
		}
		return w.Upstreams(ctx, origins)
	case "catalogue":
		if len(rest) != 1 {
			return errors.New("warm catalogue URL")
		}
		n, err := w.FromHTTP(ctx, rest[0])
		e.log.Info("warmed", "entries", n)
		return err
	case "all":
		for _, name := range []string{"products", "prices"} {
			n, err := jobs[name](ctx)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			e.log.Info("warmed", "job", name, "entries", n)
		}
		return nil
	}
	job, ok := jobs[what]
	if !ok {
		return fmt.Errorf("warm: unknown job %q", what)
	}
	n, err := job(ctx)
	e.log.Info("warmed", "job", what, "entries", n)
	return err
}

func runFlags(ctx context.Context, e *env, args []string) error {
	what, rest, err := sub(args, "flags")
	if err != nil {
		return err
	}
	p := flags.NewPublisher(e.v6, e.account)
	fs := flag.NewFlagSet("flags "+what, flag.ContinueOnError)
	name := fs.String("name", "", "flag name")
	on := fs.Bool("on", true, "enabled")
	rollout := fs.Int("rollout", 100, "percentage of traffic")
	segment := fs.String("segment", "", "customer segment")
	dur := fs.Duration("for", time.Hour, "override duration")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	switch what {
	case "set":
		return p.Set(ctx, *name, *on, *rollout, os.Getenv("USER"))
	case "promote":
		return p.Promote(ctx)
	case "override":
		return p.Override(ctx, *name, flags.Flag{Enabled: *on, Rollout: *rollout, UpdatedBy: os.Getenv("USER"), UpdatedAt: time.Now().UTC()}, *dur)
	case "segment":
		return p.AddSegment(ctx, *name, *segment)
	case "retire":
		return p.Retire(ctx, *name)
	}
	return fmt.Errorf("flags: unknown subcommand %q", what)
}

func runMaint(ctx context.Context, e *env, args []string) error {
	what, rest, err := sub(args, "maint")
	if err != nil {
		return err
	}
	t := maintenance.New(e.v6, e.account)
	fs := flag.NewFlagSet("maint "+what, flag.ContinueOnError)
	msg := fs.String("message", "We are upgrading our systems.", "text shown to visitors")
	dur := fs.Duration("for", 0, "switch off automatically after this long")
	start := fs.String("start", "", "RFC 3339 start of a scheduled window")
	end := fs.String("end", "", "RFC 3339 end of a scheduled window")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	switch what {
	case "on":
		prev, err := t.Enable(ctx, *msg, *dur)
		if err == nil && prev.On {
			e.log.Info("maintenance was already on", "since", prev.Since)
		}
		return err
	case "off":
		return t.Disable(ctx)
	case "drain":
		return t.Drain(ctx)
	case "message":
		return t.SetMessage(ctx, *msg)
	case "banner":
		return t.Banner(ctx, *msg, *dur)
	case "legacy-notice":
		return t.LegacyAPINotice(ctx)
	case "schedule":
		s, err := time.Parse(time.RFC3339, *start)
		if err != nil {
			return err
		}
		en, err := time.Parse(time.RFC3339, *end)
		if err != nil {
			return err
		}
		return t.Schedule(ctx, s, en, *msg)
	case "status":
		st, err := t.Status(ctx)
		if err != nil {
			return err
		}
		fmt.Printf("on=%v message=%q since=%s\n", st.On, st.Message, st.Since.Format(time.RFC3339))
		return nil
	}
	return fmt.Errorf("maint: unknown subcommand %q", what)
}

func runNotes(ctx context.Context, e *env, args []string) error {
	what, rest, err := sub(args, "notes")
	if err != nil {
		return err
	}
	n := releasenotes.New(e.v0, e.account)
	fs := flag.NewFlagSet("notes "+what, flag.ContinueOnError)
	version := fs.String("version", "", "release version")
	line := fs.String("line", "", "bullet to append")
	who := fs.String("author", os.Getenv("USER"), "contributor")
	title := fs.String("title", "", "release title")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	if *version == "" {
		return errors.New("notes: -version is required")
	}
	switch what {
	case "draft":
		body, err := io.ReadAll(os.Stdin)
		if err != nil {
			return err
		}
		return n.SaveDraft(ctx, *version, string(body))
	case "append":
		return n.AppendLine(ctx, *version, *line)
	case "contributor":
		return n.AddContributor(ctx, *version, *who)
	case "publish":
		return n.Publish(ctx, *version, *title)
	case "preview":
		id, err := n.SharePreview(ctx, *version)
		if err == nil {
			fmt.Println("https://changelog.example.com/preview/" + id)
		}
		return err
	}
	return fmt.Errorf("notes: unknown subcommand %q", what)
}

func runConfig(ctx context.Context, e *env, args []string) error {
	what, rest, err := sub(args, "config")
	if err != nil {
		return err
	}
	r := configver.New(e.v4, e.account)
	fs := flag.NewFlagSet("config "+what, flag.ContinueOnError)
	file := fs.String("file", "", "JSON configuration to commit")
	version := fs.String("version", "", "configuration version")
	keep := fs.Duration("keep", 72*time.Hour, "how long a staged version stays reviewable")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	switch what {
	case "commit":
		blob, err := os.ReadFile(*file)
		if err != nil {
			return err
		}
		v, err := r.Commit(ctx, blob, os.Getenv("USER"))
		if err == nil {
			fmt.Println(v)
		}
		return err
	case "activate", "rollback":
		return r.Activate(ctx, *version)
	case "canary":
		return r.Canary(ctx, *version)
	case "stage":
		return r.Stage(ctx, *version, *keep)
	case "prune":
		n, err := r.Prune(ctx, fs.Args())
		e.log.Info("pruned", "versions", n)
		return err
	}
	return fmt.Errorf("config: unknown subcommand %q", what)
}

func runLockout(ctx context.Context, e *env, args []string) error {
	what, rest, err := sub(args, "lockout")
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("lockout "+what, flag.ContinueOnError)
	dur := fs.Duration("for", config.LockoutWindow, "lock duration")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	store := kvstore.New(e.v0, e.account, config.NSLogin)
	if what == "list" {
		locked, next, err := store.Page(ctx, "login:locked:", fs.Arg(0), config.ListPageSize)
		if err != nil {
			return err
		}
		for _, k := range locked {
			fmt.Printf("%s\t%s\n", strings.TrimPrefix(k.Name, "login:locked:"), time.Unix(int64(k.Expiration), 0).UTC().Format(time.RFC3339))
		}
		if next != "" {
			fmt.Printf("more: kvadmin lockout list %s\n", next)
		}
		return nil
	}
	if fs.NArg() != 1 {
		return errors.New("lockout: want exactly one user")
	}
	user := fs.Arg(0)
	svc := lockout.New(store, func(context.Context, string) error { return nil }, e.log)
	switch what {
	case "unlock":
		return svc.Unlock(ctx, user)
	case "lock":
		return svc.LockFor(ctx, user, *dur)
	case "status":
		locked, until, err := svc.Locked(ctx, user)
		if err != nil {
			return err
		}
		fmt.Printf("%s locked=%v until=%s\n", user, locked, until.Format(time.RFC3339))
		return nil
	}
	return fmt.Errorf("lockout: unknown subcommand %q", what)
}

func runUsage(ctx context.Context, e *env, args []string) error {
	what, rest, err := sub(args, "usage")
	if err != nil {
		return err
	}
	fs := flag.NewFlagSet("usage "+what, flag.ContinueOnError)
	day := fs.String("day", time.Now().UTC().AddDate(0, 0, -1).Format(time.DateOnly), "UTC day to sync")
	if err := fs.Parse(rest); err != nil {
		return err
	}
	switch what {
	case "sync":
		d, err := time.Parse(time.DateOnly, *day)
		if err != nil {
			return err
		}
		db, err := e.db()
		if err != nil {
			return err
		}
		defer db.Close()
		s := &usage.Syncer{DB: db, Store: kvstore.New(e.v0, e.account, config.NSUsage), Now: time.Now}
		n, err := s.SyncDay(ctx, d)
		e.log.Info("synced", "tenants", n)
		return err
	case "credit":
		credits := map[string]int64{}
		for _, arg := range fs.Args() {
			tenant, amount, ok := strings.Cut(arg, "=")
			var n int64
			if _, err := fmt.Sscan(amount, &n); !ok || err != nil {
				return fmt.Errorf("usage credit: want tenant=N, got %q", arg)
			}
			credits[tenant] = n
		}
		return usage.NewQuotas(e.v4, e.account).Credit(ctx, credits)
	case "reset":
		db, err := e.db()
		if err != nil {
			return err
		}
		defer db.Close()
		rows, err := db.QueryContext(ctx, `SELECT t.id, p.daily_requests FROM tenants t JOIN plans p ON p.id = t.plan_id WHERE t.active`)
		if err != nil {
			return err
		}
		defer rows.Close()
		plans := map[string]int64{}
		for rows.Next() {
			var (
				id string
				n  int64
			)
			if err := rows.Scan(&id, &n); err != nil {
				return err
			}
			plans[id] = n
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return usage.NewQuotas(e.v4, e.account).Reset(ctx, plans)
	}
	return fmt.Errorf("usage: unknown subcommand %q", what)
}
