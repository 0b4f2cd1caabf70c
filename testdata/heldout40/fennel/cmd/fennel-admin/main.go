// Command fennel-admin runs the backend jobs that manage the edge
// namespaces: the release scheduler, the purge drainer and weekly reports,
// plus a few one-off operator commands.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/option"
	"github.com/podloft/fennel/internal/accounts"
	"github.com/podloft/fennel/internal/keys"
	"github.com/podloft/fennel/internal/kvadmin"
	"github.com/podloft/fennel/internal/publish"
	"github.com/podloft/fennel/internal/purge"
)

// Set once in main.
var (
	logger    *slog.Logger
	accountID string
	edgeNS    *kvadmin.Store
	sessNS    *kvadmin.Store
	feedNS    *kvadmin.Store
)

var (
	clientOnce sync.Once
	client     *cloudflare.Client
)

func api() *cloudflare.Client {
	clientOnce.Do(func() {
		client = cloudflare.NewClient(
			option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")),
			option.WithMaxRetries(3),
		)
	})
	return client
}

var commands = map[string]func(ctx context.Context, args []string) error{
	"serve":   serve,
	"signout": signOut,
	"revoke":  revoke,
	"drain":   drainOnce,
}

func main() {
	logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	accountID = os.Getenv("CLOUDFLARE_ACCOUNT_ID")
	edgeNS = kvadmin.NewStore(api(), accountID, os.Getenv("KV_EDGE_ID"))
	sessNS = kvadmin.NewStore(api(), accountID, os.Getenv("KV_SESSIONS_ID"))
	feedNS = kvadmin.NewStore(api(), accountID, os.Getenv("KV_FEEDS_ID"))

	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: fennel-admin <command> [args]")
		os.Exit(2)
	}
	cmd, ok := commands[flag.Arg(0)]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown command %q\n", flag.Arg(0))
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := cmd(ctx, flag.Args()[1:]); err != nil && !errors.Is(err, context.Canceled) {
		logger.Error("command failed", "cmd", flag.Arg(0), "err", err)
		os.Exit(1)
	}
}

// serve runs the release scheduler and the purge drainer until signalled.
func serve(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ExitOnError)
	tick := fs.Duration("release-tick", time.Minute, "how often to sweep for due releases")
	drainEvery := fs.Duration("drain-every", 2*time.Minute, "how often to drain the purge queue")
	addr := fs.String("addr", ":8088", "admin HTTP address")
	_ = fs.Parse(args)

	sched := publish.NewScheduler(edgeNS, logger)
	q := purge.NewQueue(edgeNS, cdnFromEnv(), logger)
	layouts := newLayoutSaver(edgeNS, 5*time.Second)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /episodes", func(w http.ResponseWriter, r *http.Request) {
		var ep publish.Episode
		if err := json.NewDecoder(r.Body).Decode(&ep); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := sched.Schedule(r.Context(), ep); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("POST /handles/{handle}", func(w http.ResponseWriter, r *http.Request) {
		err := sched.ClaimHandle(r.Context(), r.PathValue("handle"), keys.ShowID(r.FormValue("show")))
		if errors.Is(err, publish.ErrHandleTaken) {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("PUT /layouts/{creator}", func(w http.ResponseWriter, r *http.Request) {
		var layout json.RawMessage
		if err := json.NewDecoder(r.Body).Decode(&layout); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		layouts.Save(keys.CreatorID(r.PathValue("creator")), layout)
		w.WriteHeader(http.StatusAccepted)
	})
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	errc := make(chan error, 3)
	go func() { errc <- sched.Run(ctx, *tick) }()
	go func() { errc <- srv.ListenAndServe() }()
	go func() {
		t := time.NewTicker(*drainEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				errc <- ctx.Err()
				return
			case <-t.C:
				dctx, cancel := context.WithTimeout(ctx, *drainEvery)
				n, err := q.Drain(dctx)
				cancel()
				logger.Info("purge drain", "done", n, "err", err)
			}
		}
	}()

	err := <-errc
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	layouts.Flush(shutdown)
	return err
}

func signOut(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return errors.New("signout: need session IDs")
	}
	return accounts.New(sessNS, feedNS, edgeNS, nil).SignOutEverywhere(ctx, args)
}

func revoke(ctx context.Context, args []string) error {
	if len(args) != 2 {
		return errors.New("revoke: need <show> <token>")
	}
	return accounts.New(sessNS, feedNS, edgeNS, nil).RevokeFeedToken(ctx, keys.ShowID(args[0]), args[1])
}

func drainOnce(ctx context.Context, _ []string) error {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	n, err := purge.NewQueue(edgeNS, cdnFromEnv(), logger).Drain(ctx)
	logger.Info("drained", "n", n)
	return err
}

// httpCDN purges through the CDN's HTTP API.
type httpCDN struct {
	endpoint string
	token    string
}

func cdnFromEnv() purge.CDN {
	return httpCDN{endpoint: os.Getenv("CDN_PURGE_URL"), token: os.Getenv("CDN_TOKEN")}
}

func (c httpCDN) PurgeURLs(ctx context.Context, urls []string) error {
	return c.post(ctx, map[string][]string{"files": urls})
}

func (c httpCDN) PurgeTags(ctx context.Context, tags []string) error {
	return c.post(ctx, map[string][]string{"tags": tags})
}

func (c httpCDN) post(ctx context.Context, body any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint, strings.NewReader(string(b)))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("cdn purge: %s", resp.Status)
	}
	return nil
}
