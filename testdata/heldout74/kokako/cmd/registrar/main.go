// Command registrar serves the course-registration API and runs the
// background jobs.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/kokako-uni/kokako/internal/api"
	"github.com/kokako-uni/kokako/internal/jobs"
	"github.com/kokako-uni/kokako/internal/locator"
	"github.com/kokako-uni/kokako/internal/sis"
	"github.com/kokako-uni/kokako/internal/wiring"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	upstream := sis.New(os.Getenv("SIS_URL"))
	acct := settingsFromEnv()

	c, err := wiring.NewContainer(acct, wiring.Upstreams{Catalog: upstream})
	if err != nil {
		log.Fatal(err)
	}
	inj, err := wiring.NewInjector(c, upstream)
	if err != nil {
		log.Fatal(err)
	}
	loc, err := wiring.BuildLocator(c, inj, upstream, jobs.DeptQuotas{"CS": 120, "MATH": 80, "NURS": 60})
	if err != nil {
		log.Fatal(err)
	}
	views := locator.Resolve[*jobs.ViewCounter](loc)
	if err := c.Provide(func() *jobs.ViewCounter { return views }); err != nil {
		log.Fatal(err)
	}
	if err := c.Provide(api.New); err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	if err := c.Invoke(func(a *api.API) { a.Routes(mux) }); err != nil {
		log.Fatal(err)
	}

	runner := jobs.NewRunner(loc)
	go runner.Every(ctx, "promoter", 2*time.Minute)
	go runner.Every(ctx, "session-sweep", time.Hour)
	go runner.Every(ctx, "view-flush", 5*time.Minute)
	go runner.Every(ctx, "quota-publish", 24*time.Hour)

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
