//go:build !js

// Command backoffice is the operator CLI: importing archives, publishing plan
// tables and revoking credentials.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"github.com/redpoll-jobs/redpoll/internal/config"
	"github.com/redpoll-jobs/redpoll/internal/employers"
	"github.com/redpoll-jobs/redpoll/internal/kvrest"
	"github.com/redpoll-jobs/redpoll/internal/records"
)

func main() {
	if err := run(context.Background(), os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "backoffice:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v", r)
		}
	}()
	if len(args) == 0 {
		return fmt.Errorf("usage: backoffice import|plans|revoke|close ...")
	}
	cfg, err := config.Load(os.Getenv("REDPOLL_CONFIG"), os.Getenv)
	if err != nil {
		return err
	}
	store := kvrest.New(cfg)
	api := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken))
	svc := employers.NewService(store, api, cfg)

	switch args[0] {
	case "import":
		if len(args) < 2 {
			return fmt.Errorf("import: archive file required")
		}
		raw, err := os.ReadFile(args[1])
		if err != nil {
			return err
		}
		var posts []records.Posting
		if err := json.Unmarshal(raw, &posts); err != nil {
			return err
		}
		return svc.Import(ctx, posts)
	case "plans":
		return publishPlans(ctx, store)
	case "revoke":
		if len(args) < 2 {
			return fmt.Errorf("revoke: token id required")
		}
		return employers.NewSecurity(store).RevokeToken(ctx, args[1], time.Now().Add(24*time.Hour))
	case "close":
		if len(args) < 2 {
			return fmt.Errorf("close: posting id required")
		}
		return svc.Close(ctx, args[1])
	}
	return fmt.Errorf("unknown command %q", args[0])
}

// publishPlans writes the plan allowance table the Worker shows on the
// pricing page.
func publishPlans(ctx context.Context, store *kvrest.Store) error {
	table := map[string]int{}
	for p := config.PlanFree; p <= config.PlanEnterprise; p++ {
		table[planName(p)] = p.PostingAllowance()
	}
	raw, err := json.Marshal(table)
	if err != nil {
		return err
	}
	return store.Put(ctx, "quota-plans/current", raw, 0) // DEBATABLE kvcounter
}

func planName(p config.Plan) string {
	return [...]string{"free", "starter", "growth", "enterprise"}[p]
}
