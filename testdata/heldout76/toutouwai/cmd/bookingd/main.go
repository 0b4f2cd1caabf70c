// Command bookingd serves the booking site and the staff back office.
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

	"github.com/toutouwai/booking/internal/auth"
	"github.com/toutouwai/booking/internal/booking"
	"github.com/toutouwai/booking/internal/kvstore"
	"github.com/toutouwai/booking/internal/staff"
)

type logMailer struct{}

func (logMailer) SendLink(_ context.Context, to, url string) error {
	log.Printf("mail to %s: %s", to, url)
	return nil
}

func mustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		log.Fatalf("%s is not set", name)
	}
	return v
}

func main() {
	ns := kvstore.Open(mustEnv("CF_API_TOKEN"), mustEnv("CF_ACCOUNT_ID"), mustEnv("KV_NAMESPACE_ID"))
	sessions := &auth.Manager{NS: ns, Secure: os.Getenv("INSECURE_COOKIES") == ""}

	mux := http.NewServeMux()
	(&auth.Handlers{M: sessions, Mailer: logMailer{}, Base: os.Getenv("PUBLIC_URL")}).Register(mux)
	(&booking.Handlers{NS: ns, Sessions: sessions}).Register(mux)
	st := &staff.Handlers{NS: ns, Sessions: sessions}
	st.Register(mux)
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.Dir("static"))))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if err := st.EnsureDefaults(ctx, os.Getenv("BUSINESS_ID"), os.Getenv("BUSINESS_NAME")); err != nil {
		log.Printf("defaults: %v", err)
	}

	go func() {
		t := time.NewTicker(5 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				days := make([]string, 7)
				for i := range days {
					days[i] = now.AddDate(0, 0, i).Format(booking.DateLayout)
				}
				if err := st.RebuildStats(ctx, days); err != nil {
					log.Printf("stats: %v", err)
				}
			}
		}
	}()

	srv := &http.Server{Addr: ":" + cmpOr(os.Getenv("PORT"), "8080"), Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	log.Printf("listening on %s", srv.Addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
