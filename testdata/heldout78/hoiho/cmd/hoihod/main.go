// Command hoihod is the registry backend: GOPROXY origin, WebDAV artifact
// uploads, the git mirror and the background jobs.
package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"golang.org/x/net/webdav"

	"github.com/hoiho-dev/hoiho/internal/auth"
	"github.com/hoiho-dev/hoiho/internal/blobs"
	"github.com/hoiho-dev/hoiho/internal/davfs"
	"github.com/hoiho-dev/hoiho/internal/gitrefs"
	"github.com/hoiho-dev/hoiho/internal/kvstore"
	"github.com/hoiho-dev/hoiho/internal/modproxy"
	"github.com/hoiho-dev/hoiho/internal/stats"
)

func envDuration(name string, def time.Duration) time.Duration {
	if v := os.Getenv(name); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			return d
		}
	}
	return def
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	kv := kvstore.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("HOIHO_KV_NAMESPACE"))
	blobStore := blobs.New(kv)
	rec := &stats.Recorder{KV: kv, Log: log}
	proxy := &modproxy.Server{
		KV: kv, Blobs: blobStore, Stats: rec, Log: log,
		Upstream: "https://proxy.golang.org",
		Client:   &http.Client{Timeout: 30 * time.Second},
	}
	authSvc := &auth.Service{
		KV:  kv,
		Now: time.Now,
		Cfg: auth.Config{
			SessionTTL:  envDuration("HOIHO_SESSION_TTL", 12*time.Hour),
			TicketTTL:   envDuration("HOIHO_TICKET_TTL", 10*time.Minute),
			FailWindow:  envDuration("HOIHO_FAIL_WINDOW", 5*time.Minute),
			MaxFailures: 10,
			IdleRenewal: os.Getenv("HOIHO_IDLE_RENEWAL") == "1",
		},
	}
	mirror := &gitrefs.Mirror{KV: kv, Log: log, Lease: envDuration("HOIHO_MIRROR_LEASE", 5*time.Minute), Remote: gitRemote{}}
	gc := &blobs.Collector{
		KV: kv, Log: log,
		Grace:        envDuration("HOIHO_GC_GRACE", 72*time.Hour),
		RootPrefixes: []string{"gomod:zip:", "dav:blob:"},
		MaxMarkPages: 500,
	}

	dav := &webdav.Handler{
		Prefix:     "/dav",
		FileSystem: &davfs.FS{KV: kv, MaxRemovePages: 50},
		LockSystem: &davfs.Locks{KV: kv, Ctx: func() context.Context { return ctx }},
		Logger: func(r *http.Request, err error) {
			if err != nil {
				log.Warn("webdav", "method", r.Method, "path", r.URL.Path, "err", err)
			}
		},
	}

	mux := http.NewServeMux()
	mux.Handle("/proxy/", http.StripPrefix("/proxy", proxy))
	mux.Handle("/dav/", dav)
	mux.HandleFunc("/admin/owners", proxy.OwnersPage)
	mux.HandleFunc("/upload/", func(w http.ResponseWriter, r *http.Request) {
		t, err := authSvc.RedeemTicket(r.Context(), r.Header.Get("X-Upload-Ticket"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		ver := strings.TrimPrefix(r.URL.Path, "/upload/")
		if err := r.ParseMultipartForm(64 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		modFile, zip := formFile(r, "mod"), formFile(r, "zip")
		if err := proxy.Publish(r.Context(), t.UserID, t.Module, ver, modFile, zip); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		w.WriteHeader(http.StatusCreated)
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		sess, err := authSvc.Lookup(r.Context(), r)
		if err == nil {
			err = authSvc.Logout(r.Context(), sess)
		}
		if err != nil && !errors.Is(err, auth.ErrNoSession) {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})

	go every(ctx, time.Minute, func(ctx context.Context) error { return rec.Flush(ctx, time.Now()) }, log)
	go every(ctx, 10*time.Minute, func(ctx context.Context) error {
		return mirror.SyncAll(ctx, strings.Fields(os.Getenv("HOIHO_MIRRORS")), os.Getenv("HOSTNAME"))
	}, log)
	go every(ctx, 24*time.Hour, func(ctx context.Context) error {
		rep, err := gc.Run(ctx)
		log.Info("gc", "marked", rep.Marked, "condemned", rep.Condemned, "swept", rep.Swept)
		return err
	}, log)

	srv := &http.Server{Addr: ":8080", Handler: mux}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		srv.Shutdown(shut)
		rec.Flush(shut, time.Now())
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

func formFile(r *http.Request, field string) []byte {
	f, _, err := r.FormFile(field)
	if err != nil {
		return nil
	}
	defer f.Close()
	b, _ := io.ReadAll(f)
	return b
}

func every(ctx context.Context, d time.Duration, job func(context.Context) error, log *slog.Logger) {
	t := time.NewTicker(d)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := job(ctx); err != nil {
				log.Error("job", "err", err)
			}
		}
	}
}

// gitRemote lists refs with the smart HTTP protocol's info/refs endpoint.
type gitRemote struct{}

func (gitRemote) ListRemote(ctx context.Context, repo string) ([]gitrefs.RemoteRef, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "https://"+repo+"/info/refs?service=git-upload-pack", nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	var refs []gitrefs.RemoteRef
	for _, line := range strings.Split(string(body), "\n") {
		if len(line) < 4+41 || line[4] == '#' {
			continue
		}
		line = line[4:]
		hash, name, ok := strings.Cut(line, " ")
		if !ok {
			continue
		}
		name, _, _ = strings.Cut(name, "\x00")
		h, err := gitrefs.NewHash(hash)
		if err != nil {
			continue
		}
		refs = append(refs, gitrefs.RemoteRef{Name: gitrefs.ReferenceName(name), Hash: h})
	}
	return refs, nil
}
