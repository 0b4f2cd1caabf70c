package servicetest_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"example.com/deploy/internal/audit"
	"example.com/deploy/internal/canary"
	"example.com/deploy/internal/clock"
	"example.com/deploy/internal/config"
	"example.com/deploy/internal/flags"
	"example.com/deploy/internal/gc"
	"example.com/deploy/internal/locks"
	"example.com/deploy/internal/migrate"
	"example.com/deploy/internal/releases"
	"example.com/deploy/internal/store"
	"example.com/deploy/internal/store/cache"
	"example.com/deploy/internal/store/dryrun"
	"example.com/deploy/internal/tokens"
)

type fixed time.Time

func (f fixed) Now() time.Time { return time.Time(f) }

var (
	ctx   = context.Background()
	clk   = fixed(time.Now())
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
)

func TestRepoUpdateBumpsVersion(t *testing.T) {
	repo := store.NewRepo[map[string]int](newMemStore(), "doc/")
	if err := repo.Save(ctx, "a", map[string]int{"x": 1}); err != nil {
		t.Fatal(err)
	}
	doc, err := repo.Update(ctx, "a", func(m *map[string]int) error { (*m)["x"] = 2; return nil })
	if err != nil || doc.Version != 2 || doc.Data["x"] != 2 {
		t.Fatalf("update = %+v, %v", doc, err)
	}
}

func TestFlags(t *testing.T) {
	svc := flags.New(newMemStore(), clk)
	if err := svc.Create(ctx, flags.Flag{Name: "new-ui", Rollout: 0}); err != nil {
		t.Fatal(err)
	}
	if v, err := svc.SetRollout(ctx, "new-ui", 100); err != nil || v != 2 {
		t.Fatalf("SetRollout = %d, %v", v, err)
	}
	if on, err := svc.Evaluate(ctx, "new-ui", "user-1"); err != nil || !on {
		t.Fatalf("Evaluate = %v, %v", on, err)
	}
	if _, err := svc.Evaluate(ctx, "missing", "user-1"); !errors.Is(err, flags.ErrUnknown) {
		t.Fatalf("Evaluate(missing) err = %v", err)
	}
	list, err := svc.List(ctx)
	if err != nil || len(list) != 1 || list[0].Rollout != 100 {
		t.Fatalf("List = %+v, %v", list, err)
	}
}

func TestLocks(t *testing.T) {
	m := locks.New(newMemStore(), locks.WithTTL(5*time.Minute))
	if _, err := m.Acquire(ctx, "prod", "ci/a", "deploy"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Acquire(ctx, "prod", "ci/b", "deploy"); !errors.Is(err, locks.ErrHeld) {
		t.Fatalf("second acquire err = %v", err)
	}
	held, complete, err := m.Held(ctx)
	if err != nil || !complete || len(held) != 1 || held[0].Owner != "ci/a" {
		t.Fatalf("Held = %+v %v %v", held, complete, err)
	}
	if err := m.Release(ctx, "prod", "ci/b"); !errors.Is(err, locks.ErrNotOwner) {
		t.Fatalf("foreign release err = %v", err)
	}
	if err := m.Release(ctx, "prod", "ci/a"); err != nil {
		t.Fatal(err)
	}
}

func TestReleasesAndGC(t *testing.T) {
	st := newMemStore()
	svc := releases.New(st, clk, 10)
	for _, v := range []string{"1.0.0", "1.1.0"} {
		m, err := svc.Publish(ctx, releases.Manifest{App: "api", Version: v, Commit: "abc"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.Promote(ctx, "api", "prod", m.Version, "alice"); err != nil {
			t.Fatal(err)
		}
	}
	cur, err := svc.Current(ctx, "api", "prod")
	if err != nil || cur.Version != "1.1.0" {
		t.Fatalf("Current = %+v, %v", cur, err)
	}
	col := gc.New(st, []string{"manifest/"}, -time.Hour, 10*time.Minute, 2, quiet)
	col.Live = func(context.Context) (map[string]bool, error) { return map[string]bool{"api/1.1.0": true}, nil }
	rep, err := col.Run(ctx)
	if err != nil || rep.Deleted != 1 || rep.Kept != 1 {
		t.Fatalf("gc = %+v, %v", rep, err)
	}
}

func TestCanary(t *testing.T) {
	c := canary.New(newMemStore(), clock.Real{}, time.Minute, 2)
	if _, err := c.Start(ctx, "api", "prod", "1.2.0", 25, time.Hour); err != nil {
		t.Fatal(err)
	}
	st, err := c.Advance(ctx, "api", "prod")
	if err != nil || st.Weight != 50 {
		t.Fatalf("Advance = %+v, %v", st, err)
	}
	for range 2 {
		if _, err := c.ReportFailure(ctx, "api", "prod"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Advance(ctx, "api", "prod"); !errors.Is(err, canary.ErrPaused) {
		t.Fatalf("Advance after failures err = %v", err)
	}
}

func TestTokens(t *testing.T) {
	st := newMemStore()
	svc := tokens.New(tokens.Deps{Load: st.Get, Save: st.Put, Remove: st.Delete, Scan: st.List}, time.Hour, clk)
	secret, tok, err := svc.Create(ctx, "web", "deployer", []string{"deploy"})
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Create(ctx, "web", "deployer", nil); !errors.Is(err, tokens.ErrNameTaken) {
		t.Fatalf("duplicate create err = %v", err)
	}
	if got, err := svc.Validate(ctx, secret); err != nil || got.ID != tok.ID {
		t.Fatalf("Validate = %+v, %v", got, err)
	}
	if _, err := svc.Validate(ctx, secret+"x"); !errors.Is(err, tokens.ErrInvalid) {
		t.Fatalf("bad secret err = %v", err)
	}
	if err := svc.Revoke(ctx, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Validate(ctx, secret); err == nil {
		t.Fatal("revoked token still validates")
	}
	code, err := svc.IssueBootstrap(ctx, "web")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Redeem(ctx, code); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.Redeem(ctx, code); !errors.Is(err, tokens.ErrBadCode) {
		t.Fatalf("second redeem err = %v", err)
	}
}

func TestAudit(t *testing.T) {
	st := newMemStore()
	log := audit.New(st, 24*time.Hour, clk)
	for _, who := range []string{"alice", "bob"} {
		if err := log.Record(ctx, audit.Event{App: "api", Env: "prod", Actor: who, Action: "promote"}); err != nil {
			t.Fatal(err)
		}
	}
	events, cursor, err := log.Query(ctx, "prod", time.Time(clk), "")
	if err != nil || len(events) != 2 || cursor != "" {
		t.Fatalf("Query = %d events, %q, %v", len(events), cursor, err)
	}
}

func TestMigrate(t *testing.T) {
	src, dst := newMemStore(), newMemStore()
	for _, k := range []string{"a/1", "a/2", "b/1"} {
		_ = src.Put(ctx, k, []byte(k))
	}
	stats, err := migrate.New(src, dst, migrate.WithPrefix("a/"), migrate.WithLogger(quiet)).Run(ctx)
	if err != nil || stats.Copied != 2 {
		t.Fatalf("migrate = %+v, %v", stats, err)
	}
}

func TestDecorators(t *testing.T) {
	st := newMemStore()
	var out bytes.Buffer
	dry := dryrun.New(st, &out, "test")
	if err := dry.Put(ctx, "k", []byte("v")); err != nil || st.Puts != 0 || !strings.Contains(out.String(), "put k") {
		t.Fatalf("dry-run put reached the store or was not reported: %q", out.String())
	}
	c := cache.New(st, cache.WithTTL(time.Minute))
	_ = st.Put(ctx, "k", []byte("v1"))
	if v, _ := c.Get(ctx, "k"); string(v) != "v1" {
		t.Fatalf("cache get = %q", v)
	}
	_ = c.Put(ctx, "k", []byte("v2"))
	if v, _ := c.Get(ctx, "k"); string(v) != "v2" {
		t.Fatalf("cache served stale value %q after write", v)
	}
}

func TestConfig(t *testing.T) {
	env := map[string]string{
		"DEPLOY_CONFIG":     "account_id: acc\nns_flags: f1\n# comment\nlock_ttl: 2m",
		"DEPLOY_TOKEN_TTL":  "48h",
		"DEPLOY_ACCOUNT_ID": "override",
	}
	cfg, err := config.Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.AccountID != "override" || cfg.Namespaces.Flags != "f1" || cfg.LockTTL != 2*time.Minute || cfg.TokenTTL != 48*time.Hour {
		t.Fatalf("config = %+v", cfg)
	}
}
