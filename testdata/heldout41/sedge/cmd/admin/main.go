// Command admin is the Sedge back office: a CLI for operators and a small
// HTTP server for provider webhooks and the partner API.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"sedge/internal/bus"
	"sedge/internal/ops"
	"sedge/internal/restkv"
)

// originLedger asks the booking origin for no-show history.
type originLedger struct {
	base   string
	client *http.Client
}

func (l originLedger) NoShowCount(ctx context.Context, dinerID string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.base+"/diners/"+dinerID+"/no-shows", nil)
	if err != nil {
		return 0, err
	}
	res, err := l.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	var body struct {
		Count int `json:"count"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return 0, err
	}
	return body.Count, nil
}

func (l originLedger) Page(ctx context.Context, cursor string) ([]ops.DinerProfile, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, l.base+"/diners?cursor="+cursor, nil)
	if err != nil {
		return nil, "", err
	}
	res, err := l.client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	var body struct {
		Diners []ops.DinerProfile `json:"diners"`
		Next   string             `json:"next"`
	}
	if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
		return nil, "", err
	}
	return body.Diners, body.Next, nil
}

func main() {
	driver := flag.String("driver", "cloudflare", "storage driver: cloudflare or memory")
	nsID := flag.String("namespace", os.Getenv("SEDGE_KV_NAMESPACE"), "KV namespace ID")
	prefix := flag.String("prefix", "sedge:", "key prefix, as in the worker settings")
	origin := flag.String("origin", "https://origin.sedge.example", "booking origin")
	listen := flag.String("listen", ":8080", "address for serve")
	flag.Parse()

	settings := restkv.Settings{AccountID: os.Getenv("CF_ACCOUNT_ID"), APIToken: os.Getenv("CF_API_TOKEN")}
	drv, err := restkv.Open(*driver, settings)
	if err != nil {
		log.Fatal(err)
	}
	ledger := originLedger{base: *origin, client: &http.Client{Timeout: 10 * time.Second}}
	admin := ops.New(ops.Options{
		Client:    cloudflare.NewClient(option.WithAPIToken(settings.APIToken)),
		AccountID: settings.AccountID,
		Namespace: *nsID,
		Prefix:    *prefix,
		Driver:    drv,
		Ledger:    ledger,
		Bus:       bus.New(),
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, admin, ledger, *listen, flag.Args()); err != nil {
		log.Fatal(err)
	}
}

type command struct {
	args int // minimum number of arguments
	run  func(ctx context.Context, args []string) error
}

func run(ctx context.Context, a *ops.Admin, ledger originLedger, listen string, args []string) error {
	if len(args) == 0 {
		return errors.New("usage: admin <command> [args]")
	}
	cfg, err := a.LoadSettings(ctx)
	if err != nil {
		return err
	}
	log.Printf("worker mode %s, prefix %s", cfg.Mode, cfg.KeyPrefix)
	commands := map[string]command{
		"serve": {0, func(ctx context.Context, _ []string) error {
			srv := &http.Server{Addr: listen, Handler: a.Handler(), ReadHeaderTimeout: 5 * time.Second}
			go func() { <-ctx.Done(); _ = srv.Shutdown(context.Background()) }()
			return srv.ListenAndServe()
		}},
		"purge-holds": {0, func(ctx context.Context, _ []string) error {
			n, err := a.PurgeHolds(ctx)
			log.Printf("purged %d holds", n)
			return err
		}},
		"export-noshows": {0, func(ctx context.Context, _ []string) error { return a.ExportNoShowNotes(ctx, os.Stdout) }},
		"noshow": {2, func(ctx context.Context, r []string) error {
			return a.NoShow(ctx, ops.RecordNoShow{DinerID: r[0], Venue: r[1], Note: strings.Join(r[2:], " ")})
		}},
		"claim-slug": {2, func(ctx context.Context, r []string) error { return a.ClaimSlug(ctx, r[0], r[1]) }},
		"set-max-party": {2, func(ctx context.Context, r []string) error {
			n, err := strconv.Atoi(r[1])
			if err != nil {
				return err
			}
			return a.EditRules(ctx, r[0], func(rl *ops.Rules) error { rl.MaxParty = n; return nil })
		}},
		"rotate-partner": {1, func(ctx context.Context, r []string) error {
			tok, err := a.RotatePartnerToken(ctx, r[0])
			if err == nil {
				fmt.Println(tok)
			}
			return err
		}},
		"mirror-diners": {0, func(ctx context.Context, _ []string) error { return a.MirrorDiners(ctx, ledger) }},
		"peek": {1, func(ctx context.Context, r []string) error {
			keys, next, err := a.Peek(ctx, r[0], strings.Join(r[1:], ""))
			if err != nil {
				return err
			}
			fmt.Printf("%s\nnext: %s\n", strings.Join(keys, "\n"), next)
			return nil
		}},
		"banner": {2, func(ctx context.Context, r []string) error {
			return a.ScheduleBanner(ctx, r[0], strings.Join(r[1:], " "), time.Now().Add(48*time.Hour))
		}},
		"preview-banner": {2, func(ctx context.Context, r []string) error {
			return a.PreviewBanner(ctx, r[0], strings.Join(r[1:], " "))
		}},
		"slots": {1, func(ctx context.Context, r []string) error {
			return a.PrecomputeSlots(ctx, r[0], func(t time.Time) bool { return t.Hour() >= 12 && t.Hour() < 23 })
		}},
	}
	c, ok := commands[args[0]]
	if !ok {
		return fmt.Errorf("unknown command %q", args[0])
	}
	if len(args)-1 < c.args {
		return fmt.Errorf("%s needs %d arguments", args[0], c.args)
	}
	return c.run(ctx, args[1:])
}
