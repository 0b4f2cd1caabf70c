// Command api serves the public read and account API.
package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/mohua-labs/mohua/internal/gateway"
	"github.com/mohua-labs/mohua/internal/httpapi"
	"github.com/mohua-labs/mohua/internal/kvrest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	store := kvrest.New(os.Getenv("CF_ACCOUNT_ID"), os.Getenv("CF_API_TOKEN"))
	perMinute, err := strconv.Atoi(os.Getenv("RATE_PER_MINUTE"))
	if err != nil || perMinute <= 0 {
		perMinute = 120
	}
	srv := &httpapi.Server{
		GW: &gateway.KV{
			Store:   store,
			Data:    kvrest.Namespace(os.Getenv("KV_DATA")),
			Auth:    kvrest.Namespace(os.Getenv("KV_AUTH")),
			ChainID: 1,
		},
		Store:      store,
		NS:         kvrest.Namespace(os.Getenv("KV_DATA")),
		PerMinute:  perMinute,
		SessionTTL: 12 * time.Hour,
	}
	hs := &http.Server{Addr: ":8080", Handler: srv.Routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = hs.Shutdown(sctx)
	}()
	if err := hs.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
