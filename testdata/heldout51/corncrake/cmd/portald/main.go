// Command portald serves the patient results portal and the clinic upload API.
package main

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/corncrake/internal/access"
	"example.com/corncrake/internal/clinics"
	"example.com/corncrake/internal/config"
	"example.com/corncrake/internal/kvstore"
	"example.com/corncrake/internal/kvstore/cfkv"
	"example.com/corncrake/internal/results"
	"example.com/corncrake/internal/sweep"
	"example.com/corncrake/internal/tenancy"
)

type server struct {
	log      *slog.Logger
	global   kvstore.Store
	dir      *clinics.Directory
	access   *access.Service
	results  *results.Service
	hits     *sweep.HitFlusher
	regionOf map[string]string
}

func main() {
	listen := flag.String("listen", ":8080", "listen address")
	account := flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account id")
	globalDSN := flag.String("global", "mem://", "DSN of the global namespace (directory, access codes, sessions)")
	regions := flag.String("regions", "eu=mem://eu,us=mem://us", "region=DSN pairs for clinic data")
	patients := flag.String("patient-shards", "mem://p0,mem://p1,mem://p2,mem://p3", "ordered DSNs of the patient shards")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	reg := kvstore.NewRegistry()
	if tok := os.Getenv("CLOUDFLARE_API_TOKEN"); tok != "" {
		api, err := cloudflare.NewWithAPIToken(tok)
		if err != nil {
			log.Error("cloudflare client", "err", err)
			os.Exit(1)
		}
		reg.Register("kv", cfkv.Constructor(api, *account))
	}
	global, err := reg.Open(ctx, *globalDSN)
	if err != nil {
		log.Error("open global namespace", "err", err)
		os.Exit(1)
	}
	regionDSN := map[string]string{}
	for _, pair := range strings.Split(*regions, ",") {
		if name, dsn, ok := strings.Cut(pair, "="); ok {
			regionDSN[name] = dsn
		}
	}
	router := tenancy.NewRouter(reg, regionDSN, "eu", strings.Split(*patients, ","))

	s := &server{
		log:      log,
		global:   global,
		dir:      clinics.NewDirectory(global),
		access:   access.NewService(global),
		results:  results.NewService(router),
		hits:     &sweep.HitFlusher{Store: global, Log: log},
		regionOf: map[string]string{},
	}

	var bg sync.WaitGroup
	for region := range regionDSN {
		st, err := router.ForRegion(ctx, region)
		if err != nil {
			log.Error("open region", "region", region, "err", err)
			os.Exit(1)
		}
		bg.Go(func() { (&sweep.Sweeper{Store: st, Log: log.With("region", region)}).Run(ctx) })
	}
	bg.Go(func() { s.hits.Run(ctx) })
	bg.Go(func() {
		(&sweep.LiveStats{Store: global, Log: log, Snapshot: s.liveSnapshot}).Run(ctx)
	})
	bg.Go(func() {
		(&sweep.ReferenceRefresher{Store: global, Log: log, Fetch: fetchReferenceRanges}).Run(ctx)
	})

	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/results", s.handleUpload)
	mux.HandleFunc("POST /redeem", s.handleRedeem)
	mux.HandleFunc("GET /magic/{token}", s.handleMagic)
	mux.HandleFunc("POST /logout", s.handleLogout)
	mux.HandleFunc("GET /r/{clinic}/{id}", s.handleResult)
	mux.HandleFunc("GET /r/{clinic}/{id}/share", s.handleShareForm)
	mux.HandleFunc("GET /sso/{clinic}", s.handleSSOStart)
	mux.HandleFunc("GET /sso/callback", s.handleSSOCallback)

	srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("portald listening", "addr", *listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
	}
	bg.Wait()
}

func fetchReferenceRanges(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, os.Getenv("LIS_REFERENCE_URL"), nil)
	if err != nil {
		return nil, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var doc json.RawMessage
	err = json.NewDecoder(resp.Body).Decode(&doc)
	return doc, err
}

func (s *server) liveSnapshot() map[string]int {
	return map[string]int{"goroutines": 0, "regions": len(s.regionOf)}
}

func (s *server) fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	s.log.Warn("request failed", "path", r.URL.Path, "status", status, "err", err)
	http.Error(w, http.StatusText(status), status)
}

func (s *server) handleUpload(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	tok := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
	clinicID, err := s.dir.ClinicForToken(ctx, tok)
	if err != nil || !clinicID.Found {
		s.fail(w, r, http.StatusUnauthorized, err)
		return
	}
	var batch []results.LabResult
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<20)).Decode(&batch); err != nil {
		s.fail(w, r, http.StatusBadRequest, err)
		return
	}
	c := results.Clinic{ID: clinicID.Value, Region: r.Header.Get("X-Data-Region")}
	if err := s.results.Upload(ctx, c, batch); err != nil {
		s.fail(w, r, http.StatusBadGateway, err)
		return
	}
	stamp, _ := json.Marshal(map[string]any{"clinic": c.ID, "count": len(batch), "at": time.Now().UTC()})
	if err := s.global.Put(ctx, "portal:last-upload", stamp, kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
		s.log.Warn("last-upload stamp", "err", err)
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *server) startSession(w http.ResponseWriter, sess *access.Session) {
	http.SetCookie(w, &http.Cookie{
		Name: "psid", Value: sess.ID, Path: "/", HttpOnly: true, Secure: true,
		SameSite: http.SameSiteLaxMode, MaxAge: int(config.SessionTTL.Seconds()),
	})
}

func (s *server) handleRedeem(w http.ResponseWriter, r *http.Request) {
	ip, _, _ := strings.Cut(r.RemoteAddr, ":")
	sess, err := s.access.Redeem(r.Context(), strings.ToUpper(r.FormValue("code")), r.FormValue("dob"), ip)
	switch {
	case errors.Is(err, access.ErrThrottled):
		s.fail(w, r, http.StatusTooManyRequests, err)
		return
	case errors.Is(err, access.ErrBadCode):
		s.fail(w, r, http.StatusForbidden, err)
		return
	case err != nil:
		s.fail(w, r, http.StatusBadGateway, err)
		return
	}
	s.startSession(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *server) handleMagic(w http.ResponseWriter, r *http.Request) {
	sess, err := s.access.FollowMagicLink(r.Context(), r.PathValue("token"))
	if err != nil {
		s.fail(w, r, http.StatusForbidden, err)
		return
	}
	s.startSession(w, sess)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *server) session(r *http.Request) (*access.Session, error) {
	c, err := r.Cookie("psid")
	if err != nil {
		return nil, access.ErrNoSession
	}
	return s.access.Sessions.Lookup(r.Context(), c.Value)
}

func (s *server) handleLogout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie("psid"); err == nil {
		if err := s.access.Sessions.End(r.Context(), c.Value); err != nil {
			s.log.Warn("logout", "err", err)
		}
	}
	http.SetCookie(w, &http.Cookie{Name: "psid", Value: "", Path: "/", MaxAge: -1})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *server) handleResult(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	sess, err := s.session(r)
	if err != nil {
		s.fail(w, r, http.StatusUnauthorized, err)
		return
	}
	if err := s.access.Sessions.Touch(ctx, sess); err != nil {
		s.log.Warn("touch session", "err", err)
	}
	c := results.Clinic{ID: r.PathValue("clinic"), Region: r.URL.Query().Get("region")}
	id := r.PathValue("id")
	sum, err := s.results.Summary(ctx, c, id)
	if err != nil {
		s.fail(w, r, http.StatusNotFound, err)
		return
	}
	s.hits.Hit(c.ID)
	if err := s.results.Views.Record(ctx, sess.PatientID, id); err != nil {
		s.log.Warn("record view", "err", err)
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(sum)
}

func (s *server) handleShareForm(w http.ResponseWriter, r *http.Request) {
	sess, err := s.session(r)
	if err != nil {
		s.fail(w, r, http.StatusUnauthorized, err)
		return
	}
	csrf := newCSRF()
	if err := kvstore.PutFor(r.Context(), s.global, "csrf:"+sess.ID, []byte(csrf), 20*time.Minute); err != nil { // DEBATABLE kvsession
		s.fail(w, r, http.StatusBadGateway, err)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(`<form method="post"><input type="hidden" name="csrf" value="` + csrf + `"><input name="email"><button>Share</button></form>`))
}

func (s *server) handleSSOStart(w http.ResponseWriter, r *http.Request) {
	state, err := s.dir.BeginSSO(r.Context(), r.PathValue("clinic"), r.URL.Query().Get("return_to"))
	if err != nil {
		s.fail(w, r, http.StatusBadGateway, err)
		return
	}
	http.Redirect(w, r, os.Getenv("OIDC_AUTHORIZE_URL")+"?state="+state, http.StatusFound)
}

func (s *server) handleSSOCallback(w http.ResponseWriter, r *http.Request) {
	clinicID, returnTo, err := s.dir.FinishSSO(r.Context(), r.URL.Query().Get("state"))
	if err != nil {
		s.fail(w, r, http.StatusForbidden, err)
		return
	}
	s.log.Info("clinic sso", "clinic", clinicID)
	http.Redirect(w, r, returnTo, http.StatusFound)
}

func newCSRF() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}
