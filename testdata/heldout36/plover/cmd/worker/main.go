//go:build js && wasm

// Command worker is the plover edge Worker: flag evaluation, exposure
// beacons, the tenant admin API and the admin console.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/fernhill/plover/internal/admin"
	"github.com/fernhill/plover/internal/console"
	"github.com/fernhill/plover/internal/exposure"
	"github.com/fernhill/plover/internal/flags"
	"github.com/fernhill/plover/internal/kvstore"
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
)

type server struct {
	flagsKV   *kvstore.Store
	evaluator *flags.Evaluator
	overrides *flags.Overrides
	limiter   *exposure.Limiter
	console   *console.Console
}

func (s *server) forTenant(tenant string) *kvstore.Store {
	return s.flagsKV.Sub("t:" + tenant + ":")
}

type evalResponse struct {
	Flag    string          `json:"flag"`
	Variant string          `json:"variant,omitempty"`
	Value   json.RawMessage `json:"value,omitempty"`
}

func (s *server) evaluate(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 1500*time.Millisecond)
	defer cancel()
	tenant, tier := r.Header.Get("X-Tenant"), r.Header.Get("X-Plan")
	if err := s.limiter.Allow(ctx, r.Header.Get("CF-Connecting-IP"), tier, time.Now()); errors.Is(err, exposure.ErrRateLimited) {
		http.Error(w, "rate limited", http.StatusTooManyRequests)
		return
	}
	key := strings.TrimPrefix(r.URL.Path, "/v1/eval/")
	type result struct {
		f   *flags.Flag
		err error
	}
	ch := make(chan result, 1)
	go func() {
		f, err := s.evaluator.Definition(ctx, tenant, tier, key)
		ch <- result{f, err}
	}()
	var res result
	select {
	case res = <-ch:
	case <-ctx.Done():
		http.Error(w, "evaluation timed out", http.StatusGatewayTimeout)
		return
	}
	if errors.Is(res.err, flags.ErrUnknownFlag) {
		http.NotFound(w, r)
		return
	}
	if res.err != nil {
		http.Error(w, res.err.Error(), http.StatusBadGateway)
		return
	}
	out := evalResponse{Flag: key}
	if v := res.f.Choose(r.URL.Query().Get("subject")); v != nil {
		out.Variant, out.Value = v.Name, v.Value
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

func (s *server) addRule(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Flag string     `json:"flag"`
		Rule flags.Rule `json:"rule"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	err := s.overrides.AddRule(r.Context(), r.Header.Get("X-Tenant"), r.Header.Get("X-Plan"), body.Flag, body.Rule)
	switch {
	case errors.Is(err, flags.ErrTooManyRules):
		http.Error(w, err.Error(), http.StatusPaymentRequired)
	case err != nil:
		http.Error(w, err.Error(), http.StatusInternalServerError)
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

func (s *server) pin(w http.ResponseWriter, r *http.Request) {
	var pins []flags.Override
	if err := json.NewDecoder(r.Body).Decode(&pins); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	tenant := r.Header.Get("X-Tenant")
	for i := range pins {
		pins[i].Tenant = tenant
	}
	if err := s.overrides.PinSubjects(r.Context(), pins); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := s.forTenant(tenant).Update(r.Context(), "pinned-flags", 0, func(old string, found bool) (string, error) {
		seen := map[string]bool{}
		var names []string
		if found && old != "" {
			names = strings.Split(old, ",")
		}
		for _, n := range names {
			seen[n] = true
		}
		for _, p := range pins {
			if !seen[p.Flag] {
				names = append(names, p.Flag)
				seen[p.Flag] = true
			}
		}
		return strings.Join(names, ","), nil
	}); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) consoleHandler(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	switch r.URL.Path {
	case "/console/login":
		if err := s.console.SendLink(ctx, r.FormValue("email"), r.FormValue("tenant")); err != nil {
			code := http.StatusInternalServerError
			if errors.Is(err, console.ErrTooMany) {
				code = http.StatusTooManyRequests
			}
			http.Error(w, err.Error(), code)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	case "/console/redeem":
		sess, err := s.console.Redeem(ctx, r.URL.Query().Get("code"))
		if errors.Is(err, console.ErrLinkInvalid) {
			http.Error(w, "link expired", http.StatusGone)
			return
		} else if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "plover_sess", Value: sess.ID, HttpOnly: true, Secure: true, Path: "/"})
		http.Redirect(w, r, "/console/", http.StatusSeeOther)
	case "/console/signout":
		sess, err := s.console.Authenticate(ctx, r)
		if err != nil {
			http.Redirect(w, r, "/console/login", http.StatusSeeOther)
			return
		}
		if err := s.console.CheckCSRF(ctx, sess, r.FormValue("csrf")); err != nil {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		if err := s.console.SignOut(ctx, sess, r.FormValue("action")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "/console/login", http.StatusSeeOther)
	case "/console/revoke-all":
		sess, err := s.console.Authenticate(ctx, r)
		if err != nil {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		if err := s.console.RevokeAll(ctx, sess.UserID); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "/console/oauth/start":
		state, err := s.console.StartOAuth(ctx, r.FormValue("tenant"), r.FormValue("return_to"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.Redirect(w, r, "https://accounts.example-idp.com/authorize?state="+state, http.StatusFound)
	case "/console/oauth/callback":
		sess, back, err := s.console.FinishOAuth(ctx, r.URL.Query().Get("state"), r.Header.Get("X-IdP-Email"))
		if err != nil {
			http.Error(w, "sign-in failed", http.StatusUnauthorized)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "plover_sess", Value: sess.ID, HttpOnly: true, Secure: true, Path: "/"})
		http.Redirect(w, r, back, http.StatusSeeOther)
	default:
		http.NotFound(w, r)
	}
}

func mustOpen(binding string) *kvstore.Store {
	s, err := kvstore.Open(binding)
	if err != nil {
		panic(err)
	}
	return s
}

func main() {
	flagsKV := mustOpen("FLAGS")
	authKV := mustOpen("AUTH")
	origin := &flags.Origin{Base: cloudflare.Getenv("CONTROL_PLANE_URL"), Token: cloudflare.Getenv("CONTROL_PLANE_TOKEN"), Client: http.DefaultClient}
	evaluator := flags.NewEvaluator(flagsKV, origin)
	overrides := flags.NewOverrides(flagsKV)
	recorder := exposure.NewRecorder(flagsKV.Sub("x:"), time.Minute)
	limiter := exposure.NewLimiter(authKV.Sub("rl:"))
	sweeper := &admin.Sweeper{Root: flagsKV, Interval: 10 * time.Minute, MaxPages: 10}

	s := &server{
		flagsKV:   flagsKV,
		evaluator: evaluator,
		overrides: overrides,
		limiter:   limiter,
		console: console.New(authKV.Sub("c:"), authKV.Sub("sec:"), func(ctx context.Context, to, link string) error {
			fmt.Println("mail", to, link)
			return nil
		}),
	}

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go recorder.Run(ctx)
	go sweeper.Run(ctx)

	mux := http.NewServeMux()
	mux.HandleFunc("/v1/eval/", s.evaluate)
	mux.Handle("/v1/expose", &exposure.Handler{Recorder: recorder, Limiter: limiter, Store: flagsKV.Sub("x:")})
	mux.HandleFunc("/v1/rules", s.addRule)
	mux.HandleFunc("/v1/pins", s.pin)
	mux.Handle("/admin/", &admin.API{Root: flagsKV, Evaluator: evaluator, Overrides: overrides})
	mux.HandleFunc("/console/", s.consoleHandler)
	workers.Serve(mux)
}
