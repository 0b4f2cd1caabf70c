// Command quill-admin runs quill's backend: the publishing scheduler, the
// email-provider webhook, and one-off operator jobs.
//
//	quill-admin [flags] serve | import <writer> <file.csv> | export <writer>
//	quill-admin [flags] purge-previews | restore <archive.jsonl> | rotate-token <writer> <old>
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"quill/internal/backend/domains"
	"quill/internal/backend/events"
	"quill/internal/backend/maintenance"
	"quill/internal/backend/scheduler"
	"quill/internal/backend/subscribers"
	"quill/internal/config"
	"quill/internal/kvstore"
)

// UsageError is returned for a bad command line.
type UsageError struct{ Msg string }

func (e *UsageError) Error() string { return "usage: " + e.Msg }

func main() {
	logger := log.New(os.Stderr, "quill-admin ", log.LstdFlags)
	cfg, err := config.Load(os.Getenv("QUILL_CONFIG"), os.LookupEnv)
	if err != nil {
		logger.Fatal(err)
	}
	fs := flag.NewFlagSet("quill-admin", flag.ExitOnError)
	config.BindFlags(fs, &cfg)
	addr := fs.String("addr", ":8080", "listen address for serve")
	_ = fs.Parse(os.Args[1:])

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, cfg, logger, *addr, fs.Args()); err != nil {
		logger.Fatal(err)
	}
}

func run(ctx context.Context, cfg config.Config, logger *log.Logger, addr string, args []string) error {
	need := func(n int, msg string) error {
		if len(args) < n+1 {
			return &UsageError{Msg: msg}
		}
		return nil
	}
	if err := need(0, "quill-admin <command> [args]"); err != nil {
		return err
	}
	client := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken))
	shared := kvstore.NewREST(client, cfg.AccountID, cfg.Namespaces.Default)
	tenants := kvstore.NewTenants(shared, cfg.Namespaces.Tenants, func(id string) kvstore.Store {
		return kvstore.NewREST(client, cfg.AccountID, id)
	})
	subs := subscribers.New(client, tenants, cfg)
	posts := maintenance.New(client, cfg.AccountID, cfg.Namespaces.Posts)

	switch args[0] {
	case "serve":
		host, _ := os.Hostname()
		sched := scheduler.New(client, shared, cfg.AccountID, cfg.Scheduler, host, &publisher{base: cfg.Origin}, logger)
		ingest := events.New(kvstore.NewREST(client, cfg.AccountID, cfg.Namespaces.Stats), cfg.Tracking, logger)
		return serve(ctx, addr, sched, ingest, domains.New(client, cfg.AccountID, cfg.Namespaces.Default))
	case "import":
		if err := need(2, "import <writer> <file.csv>"); err != nil {
			return err
		}
		f, err := os.Open(args[2])
		if err != nil {
			return err
		}
		defer f.Close()
		rep, err := subs.Import(ctx, args[1], f)
		logger.Printf("imported %d, skipped %d", rep.Imported, len(rep.Skipped))
		return err
	case "export":
		if err := need(1, "export <writer>"); err != nil {
			return err
		}
		return subs.Export(ctx, args[1], os.Stdout)
	case "purge-previews":
		n, err := posts.PurgePreviews(ctx)
		logger.Printf("purged %d previews", n)
		return err
	case "restore":
		if err := need(1, "restore <archive.jsonl>"); err != nil {
			return err
		}
		f, err := os.Open(args[1])
		if err != nil {
			return err
		}
		defer f.Close()
		rep, err := maintenance.New(client, cfg.AccountID, cfg.Namespaces.Default).Restore(ctx, f)
		logger.Printf("restored %d, %d failed", rep.Written, len(rep.Failed))
		return err
	case "rotate-token":
		if err := need(2, "rotate-token <writer> <old-token>"); err != nil {
			return err
		}
		tok, err := maintenance.New(client, cfg.AccountID, cfg.Namespaces.Sessions).RotateToken(ctx, args[1], args[2])
		if err == nil {
			fmt.Println(tok)
		}
		return err
	}
	return &UsageError{Msg: "unknown command " + args[0]}
}

func serve(ctx context.Context, addr string, sched *scheduler.Scheduler, ingest *events.Ingest, reg *domains.Registry) error {
	go sched.Run(ctx)
	go ingest.Run(ctx)
	mux := http.NewServeMux()
	mux.Handle("/webhooks/esp", ingest)
	mux.HandleFunc("/domains/claim", func(w http.ResponseWriter, r *http.Request) {
		err := reg.Claim(r.Context(), r.FormValue("host"), r.FormValue("writer"))
		var claimed *domains.ClaimError
		switch {
		case errors.As(err, &claimed):
			http.Error(w, err.Error(), http.StatusConflict)
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadGateway)
		default:
			w.WriteHeader(http.StatusNoContent)
		}
	})
	srv := &http.Server{Addr: addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// publisher asks the origin to send posts and report send history.
type publisher struct{ base string }

func (p *publisher) call(ctx context.Context, method, path string, body, out any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, method, strings.TrimSuffix(p.base, "/")+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("origin %s: %w", path, err)
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("origin %s: status %d", path, res.StatusCode)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (p *publisher) Publish(ctx context.Context, post scheduler.Post) (int, error) {
	var out struct{ Recipients int }
	err := p.call(ctx, http.MethodPost, "/publish", post, &out)
	return out.Recipients, err
}

func (p *publisher) Recent(ctx context.Context, writer string, n int) ([]scheduler.FeedEntry, error) {
	var out []scheduler.FeedEntry
	err := p.call(ctx, http.MethodGet, fmt.Sprintf("/feed?writer=%s&n=%d", url.QueryEscape(writer), n), nil, &out)
	return out, err
}

func (p *publisher) SentThisMonth(ctx context.Context, writer string) (int, error) {
	var out struct{ Sent int }
	err := p.call(ctx, http.MethodGet, "/sends?writer="+url.QueryEscape(writer), nil, &out)
	return out.Sent, err
}
