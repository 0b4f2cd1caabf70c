// Command wryneck-api is the newsletter backend: signup, preferences, admin
// console and the bounce poller.
package main

import (
	"context"
	"errors"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"wryneck/internal/bounces"
	"wryneck/internal/exports"
	"wryneck/internal/kvrest"
	"wryneck/internal/newsletter"
	"wryneck/internal/opt"
	"wryneck/internal/quota"
	"wryneck/internal/subscribers"
)

type server struct {
	store   newsletter.Store
	subs    *subscribers.Service
	exp     *exports.Exporter
	limiter *quota.Limiter
	oauth   oauthHandler
}

func (s *server) routes() *http.ServeMux {
	mux := http.NewServeMux()
	mux.Handle("POST /subscribe", subscribeHandler{svc: s.subs})
	mux.Handle("GET /confirm/{token}", confirmHandler{svc: s.subs})
	mux.Handle("/lists/{list}/subscribers/{email}", preferencesHandler{svc: s.subs})
	mux.Handle("GET /lists/{list}/subscribers", listPageHandler{exp: s.exp})
	mux.Handle("GET /exports/{export}", downloadHandler{store: s.store})
	mux.Handle("POST /admin/suppress/{email}", suppressHandler{store: s.store})
	mux.Handle("GET /admin/quota/{sender}", quotaHandler{limiter: s.limiter})
	mux.Handle("POST /admin/login", loginHandler{store: s.store, verifier: verifyOperator})
	mux.Handle("POST /admin/logout", logoutHandler{store: s.store})
	mux.Handle("POST /admin/password", passwordHandler{store: s.store, change: changePassword, lookup: openSessions})
	mux.Handle("POST /oauth/token", tokenHandler{store: s.store})
	mux.Handle("GET /admin/senders/{sender}/connect", s.oauth)
	mux.Handle("GET /healthz", healthHandler{store: s.store})
	return mux
}

func main() {
	api := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	acct, ns := os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID")
	store := kvrest.New(api, acct, ns)
	s := &server{
		store:   store,
		subs:    subscribers.NewService(store, postgresSource{}),
		exp:     exports.New(store, api, acct, ns),
		limiter: quota.New(store),
		oauth:   oauthHandler{store: store, authorizeURL: os.Getenv("ESP_AUTHORIZE_URL"), exchange: exchangeCode},
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	poller := bounces.NewPoller(api, acct, os.Getenv("BOUNCE_QUEUE_ID"), store, bounces.Config{BatchSize: opt.Ptr(100)})
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := poller.Drain(ctx); err != nil {
					log.Printf("bounce poller: %v", err)
				}
			}
		}
	}()

	srv := &http.Server{Addr: ":8080", Handler: s.routes(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

type postgresSource struct{}

func (postgresSource) LoadPreferences(ctx context.Context, listID, email string) (*newsletter.Preferences, error) {
	return nil, subscribers.ErrUnknown
}

func verifyOperator(ctx context.Context, user, pass string) (string, error) {
	return "", errors.New("not configured")
}

func changePassword(ctx context.Context, operator, pass string) error {
	return errors.New("not configured")
}

func openSessions(ctx context.Context, operator string) ([]string, error) { return nil, nil }

func exchangeCode(ctx context.Context, code string) error { return errors.New("not configured") }
