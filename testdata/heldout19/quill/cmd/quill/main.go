// Command quill runs the Quill API, the send scheduler and event consumers.
package main

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/quill/internal/archive"
	"example.com/quill/internal/authorlogin"
	"example.com/quill/internal/cfkv"
	"example.com/quill/internal/collab"
	"example.com/quill/internal/config"
	"example.com/quill/internal/delivery"
	"example.com/quill/internal/drafts"
	"example.com/quill/internal/entitlements"
	"example.com/quill/internal/httpapi"
	"example.com/quill/internal/ledger"
	"example.com/quill/internal/sends"
	"example.com/quill/internal/storage"
	"example.com/quill/internal/subscriptions"
	"example.com/quill/internal/tallies"
)

// provider talks to the transactional mail provider.
type provider struct {
	endpoint, key string
	http          *http.Client
}

func (p provider) post(ctx context.Context, path string, body any) error {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.endpoint+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+p.key)
	req.Header.Set("Content-Type", "application/json")
	res, err := p.http.Do(req)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("mail provider %s: %s", path, res.Status)
	}
	return nil
}

func (p provider) Send(ctx context.Context, to, subject, body string) error {
	return p.post(ctx, "/messages", map[string]string{"to": to, "subject": subject, "text": body})
}

func (p provider) Deliver(ctx context.Context, tenant string, issue int, to []string) error {
	return p.post(ctx, "/batches", map[string]any{"tenant": tenant, "issue": issue, "to": to})
}

// origin fetches issue bodies from the publishing backend.
type origin struct{ base string }

func (o origin) Issue(ctx context.Context, tenant string, n int) (archive.Issue, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("%s/%s/issues/%d.json", o.base, tenant, n), nil)
	if err != nil {
		return archive.Issue{}, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return archive.Issue{}, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return archive.Issue{}, archive.ErrNoIssue
	}
	var iss archive.Issue
	return iss, json.NewDecoder(res.Body).Decode(&iss)
}

func internalOnly(secret string, h http.HandlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if subtle.ConstantTimeCompare([]byte(r.Header.Get("X-Quill-Internal")), []byte(secret)) != 1 {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		h(w, r)
	})
}

// every runs fn each interval until ctx is done.
func every(ctx context.Context, interval time.Duration, name string, fn func(context.Context) error) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := fn(ctx); err != nil {
				log.Printf("%s: %v", name, err)
			}
		}
	}
}

func main() {
	cfg, err := config.Load()
	if err != nil {
		log.Fatal(err)
	}
	config.Store(cfg)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go config.Watch(ctx, time.Minute, config.Load)
	cf := cfkv.MustClient()
	router := storage.NewRouter(cfg.Namespaces, cfg.DefaultNamespace, func(ns string) storage.ReadWriter {
		return cfkv.Open(cf, cfg.AccountID, ns)
	})
	authNS := cfkv.Open(cf, cfg.AccountID, cfg.AuthNamespace)
	led := ledger.NewD1(cf, cfg.AccountID, cfg.LedgerDatabaseID)
	mail := provider{endpoint: os.Getenv("QUILL_MAIL_API"), key: os.Getenv("QUILL_MAIL_KEY"), http: &http.Client{Timeout: 15 * time.Second}}
	src := origin{base: os.Getenv("QUILL_ORIGIN")}
	base := os.Getenv("QUILL_PUBLIC_URL")
	downloads := tallies.NewDownloads(router.For(""))
	go every(ctx, 30*time.Second, "downloads flush", downloads.Flush)
	sched := sends.NewScheduler(router, led, led, mail, cf, cfg.AccountID)
	draftStore := drafts.New(router.For(""))
	api := httpapi.New(httpapi.Deps{
		Router:    router,
		Subs:      subscriptions.New(router, mail, base),
		Drafts:    draftStore,
		Locks:     collab.NewLocks(router.For(""), log.New(os.Stderr, "collab ", log.LstdFlags)),
		Sessions:  authorlogin.NewSessions(authNS),
		PKCE:      authorlogin.NewPKCE(cf, cfg, base+"/callback"),
		Tallies:   tallies.New(router, led),
		Downloads: downloads,
		Ent:       entitlements.New(cf, cfg.AccountID, cfg.AuthNamespace, 50000),
		Archive: func(tenant string) *archive.Queries {
			rw := router.For(tenant)
			return archive.NewQueries(tenant, rw, rw, src)
		},
		PDFBase: os.Getenv("QUILL_PDF_BASE"),
	})
	consumer := delivery.NewConsumer(router)
	tail := delivery.NewTailHandler(cf, cfg.AccountID, cfg.DefaultNamespace)
	secret := os.Getenv("QUILL_INTERNAL_SECRET")
	mux := http.NewServeMux()
	mux.Handle("/", api)
	mux.Handle("POST /internal/delivery", internalOnly(secret, func(w http.ResponseWriter, r *http.Request) {
		var batch []delivery.Message
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		_ = json.NewEncoder(w).Encode(consumer.Handle(r.Context(), batch))
	}))
	mux.Handle("POST /internal/tail", internalOnly(secret, func(w http.ResponseWriter, r *http.Request) {
		var events []delivery.TailEvent
		err := json.NewDecoder(r.Body).Decode(&events)
		if err == nil {
			err = tail.Handle(r.Context(), events)
		}
		if err != nil {
			log.Printf("tail: %v", err)
		}
		w.WriteHeader(http.StatusNoContent)
	}))
	go every(ctx, time.Minute, "sends tick", sched.Tick)
	srv := &http.Server{Addr: cfg.ListenAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("quill listening on %s", cfg.ListenAddr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
	if err := downloads.Flush(context.Background()); err != nil {
		log.Printf("downloads: final flush: %v", err)
	}
}
