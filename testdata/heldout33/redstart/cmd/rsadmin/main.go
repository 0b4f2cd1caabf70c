// Command rsadmin is the operators' tool for the redstart backend: rollouts,
// API keys, audits and cleanups against the KV namespaces over the REST API.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/exptrack/redstart/internal/backend/apikeys"
	"github.com/exptrack/redstart/internal/backend/audit"
	"github.com/exptrack/redstart/internal/backend/rollout"
	"github.com/exptrack/redstart/internal/kvrest"
	"github.com/exptrack/redstart/internal/model"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: rsadmin advance|pause|issue-key|revoke|usage|export|cleanup|inspect [flags]")
		os.Exit(2)
	}
	cmd := os.Args[1]
	fs := flag.NewFlagSet(cmd, flag.ExitOnError)
	tenant := fs.String("tenant", "", "tenant ID")
	exp := fs.String("exp", "", "experiment ID")
	name := fs.String("name", "", "API key name")
	id := fs.String("id", "", "API key ID")
	kind := fs.String("kind", "", "cleanup kind")
	budget := fs.Int("budget", 20_000, "most keys a cleanup visits")
	binding := fs.String("ns", "CONFIG", "namespace binding")
	key := fs.String("key", "", "key name")
	_ = fs.Parse(os.Args[2:])

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()

	client := kvrest.New(os.Getenv("CLOUDFLARE_API_TOKEN"), os.Getenv("CLOUDFLARE_ACCOUNT_ID"))
	namespaces := map[string]string{}
	for _, b := range []string{"CONFIG", "CACHE", "ASSIGN", "EVENTS", "SESSIONS"} {
		namespaces[b] = os.Getenv("KV_" + b + "_NS")
	}
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	check(err)
	defer db.Close()

	roll := &rollout.Service{KV: client, NS: namespaces["CONFIG"], Catalog: sqlCatalog{db}}
	keysvc := &apikeys.Issuer{KV: client, NS: namespaces["CONFIG"]}
	aud := &audit.Auditor{KV: client, NS: namespaces, DB: db}

	switch cmd {
	case "advance":
		plan, err := roll.Advance(ctx, *tenant, *exp, os.Getenv("USER"))
		check(err)
		fmt.Printf("%s/%s now at %d%%\n", *tenant, *exp, plan.Percent())
	case "pause":
		check(roll.Pause(ctx, *tenant, *exp, os.Getenv("USER")))
	case "issue-key":
		secret, k, err := keysvc.Issue(ctx, *tenant, *name, []string{"assign", "events"}, 0)
		check(err)
		fmt.Printf("id %s\nsecret %s\n", k.ID, secret)
	case "revoke":
		check(keysvc.Revoke(ctx, *tenant, *id))
	case "usage":
		for b := range namespaces {
			u, err := aud.TenantUsage(ctx, b, *tenant)
			check(err)
			fmt.Printf("%-9s %6d keys (%d expiring) %v\n", b, u.Keys, u.Expiring, u.ByPrefix)
		}
	case "export":
		n, err := aud.Export(ctx, *tenant, os.Stdout)
		check(err)
		fmt.Fprintf(os.Stderr, "%d keys\n", n)
	case "cleanup":
		n, err := aud.Cleanup(ctx, *kind, *tenant, *budget)
		check(err)
		fmt.Printf("visited %d keys\n", n)
	case "inspect":
		check(aud.Inspect(ctx, *binding, *key, os.Stdout))
	default:
		fmt.Fprintf(os.Stderr, "rsadmin: unknown command %q\n", cmd)
		os.Exit(2)
	}
}

// sqlCatalog reads experiments from the backend database.
type sqlCatalog struct{ db *sql.DB }

const selectExperiments = `SELECT id, tenant_id, name, strategy, salt, status, variants, percent, starts_at, ends_at
  FROM experiments WHERE tenant_id = $1 AND ($2 = '' OR id = $2) ORDER BY id`

func (c sqlCatalog) Experiment(ctx context.Context, tenant, id string) (*model.Experiment, error) {
	exps, err := c.query(ctx, tenant, id)
	if err != nil {
		return nil, err
	}
	if len(exps) == 0 {
		return nil, sql.ErrNoRows
	}
	return &exps[0], nil
}

func (c sqlCatalog) Experiments(ctx context.Context, tenant string) ([]model.Experiment, error) {
	return c.query(ctx, tenant, "")
}

func (c sqlCatalog) query(ctx context.Context, tenant, id string) ([]model.Experiment, error) {
	rows, err := c.db.QueryContext(ctx, selectExperiments, tenant, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.Experiment
	for rows.Next() {
		var e model.Experiment
		var variants []byte
		var ends sql.NullTime
		if err := rows.Scan(&e.ID, &e.Tenant, &e.Name, &e.Strategy, &e.Salt, &e.Status, &variants, &e.Percent, &e.StartsAt, &ends); err != nil {
			return nil, err
		}
		e.EndsAt = ends.Time
		if err := json.Unmarshal(variants, &e.Variants); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "rsadmin:", err)
		os.Exit(1)
	}
}
