// Command tls-terminator terminates TLS for the clinic portals in front of
// the SSO service, with certificates shared through KV.
package main

import (
	"context"
	"crypto/tls"
	"log/slog"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/caddyserver/certmagic"

	"github.com/clinicgroup/wallcreeper/internal/certstore"
	"github.com/clinicgroup/wallcreeper/internal/kvstore"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ns := kvstore.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_TLS_NAMESPACE"), "tls")
	storage := certstore.New(ns, "tls")
	if v, err := time.ParseDuration(os.Getenv("CERT_LOCK_POLL")); err == nil {
		storage.PollInterval = v
	}

	cfg := certmagic.NewDefault()
	cfg.Storage = storage
	certmagic.DefaultACME.Email = os.Getenv("ACME_EMAIL")
	certmagic.DefaultACME.Agreed = true

	domains := strings.Split(os.Getenv("PORTAL_DOMAINS"), ",")
	if err := cfg.ManageSync(ctx, domains); err != nil {
		slog.Error("managing certificates", "err", err)
		os.Exit(1)
	}
	for _, d := range domains {
		if err := storage.RecordRenewal(ctx, d, time.Now()); err != nil {
			slog.Warn("recording renewal", "domain", d, "err", err)
		}
	}

	go lockJanitor(ctx, storage)
	go flushHandshakes(ctx, ns)

	upstream, _ := url.Parse(os.Getenv("SSO_UPSTREAM"))
	proxy := httputil.NewSingleHostReverseProxy(upstream)
	mux := http.NewServeMux()
	mux.Handle("/", proxy)
	mux.HandleFunc("GET /_tls/inventory", func(w http.ResponseWriter, r *http.Request) {
		certs, complete, err := storage.Inventory(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if !complete {
			w.Header().Set("X-Inventory-Truncated", "1")
		}
		for _, c := range certs {
			_, _ = w.Write([]byte(c.Key + " " + c.NotAfter.Format(time.DateOnly) + "\n"))
		}
	})

	tlsCfg := cfg.TLSConfig()
	getCert := tlsCfg.GetCertificate
	tlsCfg.GetCertificate = func(hello *tls.ClientHelloInfo) (*tls.Certificate, error) {
		handshakes.add(hello.ServerName)
		return getCert(hello)
	}
	tlsCfg.MinVersion = tls.VersionTLS12
	tlsCfg.NextProtos = append([]string{"h2", "http/1.1"}, tlsCfg.NextProtos...)
	srv := &http.Server{Addr: ":443", Handler: mux, TLSConfig: tlsCfg, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.ListenAndServeTLS("", ""); err != nil && err != http.ErrServerClosed {
		slog.Error("serve", "err", err)
	}
}

// handshakeCounter counts TLS handshakes per server name between flushes.
type handshakeCounter struct {
	mu sync.Mutex
	n  map[string]int64
}

var handshakes = &handshakeCounter{n: map[string]int64{}}

func (h *handshakeCounter) add(name string) {
	h.mu.Lock()
	h.n[name]++
	h.mu.Unlock()
}

// flushHandshakes publishes the running handshake totals for the status page.
func flushHandshakes(ctx context.Context, ns *kvstore.Namespace) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		handshakes.mu.Lock()
		totals := make(map[string]int64, len(handshakes.n))
		for k, v := range handshakes.n {
			totals[k] = v
		}
		handshakes.mu.Unlock()
		for name, n := range totals {
			key := "tls/hits/" + name + "/" + time.Now().UTC().Format("2006-01-02")
			if err := ns.Put(ctx, key, []byte(strconv.FormatInt(n, 10)), 7*24*time.Hour); err != nil { // EXPECT kvcounter
				slog.Warn("flushing handshake totals", "name", name, "err", err)
			}
		}
	}
}

// lockJanitor removes orphaned certificate locks one page at a time.
func lockJanitor(ctx context.Context, s *certstore.KVStorage) {
	t := time.NewTicker(10 * time.Minute)
	defer t.Stop()
	cursor := ""
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			next, err := s.PurgeOrphanLocks(ctx, cursor)
			if err != nil {
				slog.Warn("lock janitor", "err", err)
				continue
			}
			cursor = next
		}
	}
}
