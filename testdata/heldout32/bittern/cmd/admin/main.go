// Command admin runs the Bittern operator backend.
package main

import (
	"context"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"bittern/internal/admin"
	"bittern/internal/jobs"
	"bittern/internal/restkv"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8086", "listen address")
	runJob := flag.String("run", "", "run one job and exit")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(log)
	admin.Origin.Token = os.Getenv("ORIGIN_TOKEN")
	ns := &restkv.Namespace{
		API:         cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))),
		AccountID:   os.Getenv("CLOUDFLARE_ACCOUNT_ID"),
		NamespaceID: os.Getenv("BITTERN_KV_NAMESPACE_ID"),
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if *runJob != "" {
		if err := jobs.Run(restkv.NewContext(ctx, ns), *runJob); err != nil {
			log.Error("job failed", "job", *runJob, "err", err)
			os.Exit(1)
		}
		return
	}
	srv := &http.Server{Addr: *addr, Handler: (&admin.Server{NS: ns, Log: log}).Handler()}
	go func() { <-ctx.Done(); srv.Close() }()
	log.Info("admin listening", "addr", *addr, "jobs", jobs.Names())
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
