// Command latticed serves the Lattice conference API.
package main

import (
	"cmp"
	"context"
	"errors"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/lattice/internal/analytics"
	"example.com/lattice/internal/authn"
	"example.com/lattice/internal/customdomain"
	"example.com/lattice/internal/events"
	"example.com/lattice/internal/httpx"
	"example.com/lattice/internal/platform/cfkv"
	"example.com/lattice/internal/platform/d1"
	"example.com/lattice/internal/program"
	"example.com/lattice/internal/quota"
	"example.com/lattice/internal/submissions"
)

type config struct {
	addr, apiToken, accountID  string
	coreNS, edgeNS, settingsNS string
	sessionTTL, publishEvery   time.Duration
}

func loadConfig() (config, error) {
	c := config{
		addr:       cmp.Or(os.Getenv("LATTICE_ADDR"), ":8080"),
		apiToken:   os.Getenv("CLOUDFLARE_API_TOKEN"),
		accountID:  os.Getenv("CLOUDFLARE_ACCOUNT_ID"),
		coreNS:     os.Getenv("LATTICE_KV_CORE"),
		edgeNS:     os.Getenv("LATTICE_KV_EDGE"),
		settingsNS: os.Getenv("LATTICE_KV_SETTINGS"),
	}
	var err1, err2 error
	c.sessionTTL, err1 = time.ParseDuration(cmp.Or(os.Getenv("LATTICE_SESSION_TTL"), "12h"))
	c.publishEvery, err2 = time.ParseDuration(cmp.Or(os.Getenv("LATTICE_PUBLISH_EVERY"), "1m"))
	if err := errors.Join(err1, err2); err != nil {
		return c, err
	}
	if c.apiToken == "" || c.accountID == "" || c.coreNS == "" || c.edgeNS == "" || c.settingsNS == "" {
		return c, errors.New("CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and LATTICE_KV_* are required")
	}
	return c, nil
}

type app struct {
	subs     *submissions.Service
	auth     *authn.Manager
	domains  *customdomain.Verifier
	recorder *analytics.Recorder
	program  *program.Service
	quota    *quota.Submissions
	proj     *events.Projector
	bus      chan events.Event
}

func main() {
	cfg, err := loadConfig()
	if err != nil {
		log.Fatal(err)
	}
	client := cfkv.NewClient(cfg.apiToken, 15*time.Second)
	core := cfkv.Target{Client: client, AccountID: cfg.accountID, NamespaceID: cfg.coreNS}
	edge := cfkv.Target{Client: client, AccountID: cfg.accountID, NamespaceID: cfg.edgeNS}
	settings := cfkv.Target{Client: client, AccountID: cfg.accountID, NamespaceID: cfg.settingsNS}
	store := cfkv.New(core)
	db := d1.Open()

	auth, err := authn.NewManager(store, authn.Config{SessionTTL: cfg.sessionTTL, LinkTTL: 15 * time.Minute})
	if err != nil {
		log.Fatal(err)
	}
	a := &app{
		subs:     submissions.NewService(store, submissions.DraftRetention(21*24*time.Hour)),
		auth:     auth,
		domains:  customdomain.NewVerifier(edge, net.DefaultResolver),
		recorder: analytics.NewRecorder(edge, db),
		program:  program.NewService(edge, settings, plannerStub{}),
		quota:    quota.NewSubmissions(store),
		proj:     events.NewProjector(store, db),
		bus:      make(chan events.Event, 256),
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	dead := make(chan events.Event, 64)
	go func() {
		if err := a.proj.Run(ctx, events.FanIn(ctx, a.bus), dead); err != nil && !errors.Is(err, context.Canceled) {
			log.Printf("projector: %v", err)
		}
	}()
	go a.recorder.Run(ctx, cfg.publishEvery)

	mux := http.NewServeMux()
	httpx.Register(mux, a.routes(), httpx.RequestID(), httpx.LastActivity(store))
	srv := &http.Server{Addr: cfg.addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("latticed listening on %s", cfg.addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}
