// Command gateway runs the zero-trust access gateway's origin: the ext_authz
// bridge, forward-auth, OAuth endpoints, SCIM and break-glass APIs.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"matuku/internal/audit"
	"matuku/internal/authz"
	"matuku/internal/breakglass"
	"matuku/internal/forwardauth"
	"matuku/internal/kvstore"
	"matuku/internal/oauth"
	"matuku/internal/policy"
	"matuku/internal/scim"
	"matuku/internal/tokens"
)

// settings are the gateway settings kept in KV under "config:gateway" so
// that all regions start with the same values.
type settings struct {
	Issuer       string `json:"issuer"`
	DirectoryURL string `json:"directory_url"`
	IdleMinutes  int    `json:"idle_minutes"`
	PerMinute    int    `json:"per_minute"`
}

var defaults = settings{Issuer: "https://access.example.internal", IdleMinutes: 60, PerMinute: 600}

func loadSettings(ctx context.Context, token, account, namespace string) (settings, error) {
	client := cloudflare.NewClient(option.WithAPIToken(token))
	res, err := client.KV.Namespaces.Values.Get(ctx, namespace, "config:gateway", kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(account),
	})
	if err != nil {
		return settings{}, fmt.Errorf("read gateway settings: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		return settings{}, err
	}
	s := defaults
	if len(body) == 0 { // EXPECT kvnull
		return s, nil
	}
	return s, json.Unmarshal(body, &s)
}

// directory fetches compiled policies from the identity provider's directory.
type directory struct {
	base string
	hc   *http.Client
}

func (d directory) UserPolicy(ctx context.Context, sub string) (*policy.Policy, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, d.base+"/policies/"+url.PathEscape(sub), nil)
	if err != nil {
		return nil, err
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("directory: %s", resp.Status)
	}
	var p policy.Policy
	return &p, json.NewDecoder(resp.Body).Decode(&p)
}

// oidc is the upstream identity provider used by forward-auth.
type oidc struct {
	issuer, clientID, clientSecret, redirect string
	hc                                       *http.Client
}

func (o oidc) AuthCodeURL(state string) string {
	q := url.Values{"response_type": {"code"}, "client_id": {o.clientID}, "redirect_uri": {o.redirect},
		"scope": {"openid email"}, "state": {state}}
	return o.issuer + "/authorize?" + q.Encode()
}

func (o oidc) Exchange(ctx context.Context, code string) (*forwardauth.Identity, error) {
	form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {o.redirect}}
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, o.issuer+"/token", nil)
	req.URL.RawQuery = form.Encode()
	req.SetBasicAuth(o.clientID, o.clientSecret)
	resp, err := o.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out struct {
		Sub       string `json:"sub"`
		Email     string `json:"email"`
		AMR       []string
		ExpiresIn int `json:"expires_in"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return nil, err
	}
	mfa := false
	for _, m := range out.AMR {
		mfa = mfa || m == "mfa"
	}
	return &forwardauth.Identity{Subject: out.Sub, Email: out.Email, MFA: mfa,
		Expiry: time.Now().Add(time.Duration(out.ExpiresIn) * time.Second)}, nil
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	token, account, ns := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID")
	cfg, err := loadSettings(ctx, token, account, ns)
	if err != nil {
		log.Error("settings", "err", err)
		os.Exit(1)
	}
	if v, err := strconv.Atoi(os.Getenv("PER_MINUTE")); err == nil {
		cfg.PerMinute = v
	}

	store := kvstore.Open(kvstore.Config{APIToken: token, AccountID: account, NamespaceID: ns})
	hc := &http.Client{Timeout: 10 * time.Second}
	toks := &tokens.Service{KV: store, Now: time.Now}
	pols := &policy.Evaluator{KV: store, Directory: directory{base: cfg.DirectoryURL, hc: hc}}
	authzSrv := &authz.Server{KV: store, Tokens: toks, Policies: pols, Log: log}
	oauthSrv := &oauth.Server{KV: store, Tokens: toks, Log: log, Issuer: cfg.Issuer}
	fa := &forwardauth.Handler{KV: store, Policies: pols, Log: log, CookieName: "__Host-gw",
		IdleTimeout: time.Duration(cfg.IdleMinutes) * time.Minute, PerMinute: cfg.PerMinute,
		IdP: oidc{issuer: os.Getenv("IDP_ISSUER"), clientID: os.Getenv("IDP_CLIENT_ID"),
			clientSecret: os.Getenv("IDP_CLIENT_SECRET"), redirect: cfg.Issuer + "/auth/callback", hc: hc}}
	deprov := &scim.Deprovisioner{KV: store, Tokens: toks, Policies: pols, Log: log}
	bg := &breakglass.Service{KV: store, Log: log}
	trail := &audit.Log{KV: store}

	mux := http.NewServeMux()
	mux.Handle("POST /envoy.service.auth.v3.Authorization/Check", authz.HTTPBridge(authzSrv))
	mux.Handle("/forward-auth", fa)
	mux.Handle("/auth/", fa)
	mux.HandleFunc("POST /auth/logout", fa.Logout)
	mux.HandleFunc("POST /oauth/introspect", oauthSrv.Introspect)
	mux.HandleFunc("POST /oauth/revoke", oauthSrv.Revoke)
	mux.HandleFunc("POST /oauth/device_authorization", oauthSrv.DeviceAuthorization)
	mux.HandleFunc("POST /oauth/token", oauthSrv.Token)
	mux.HandleFunc("POST /device", func(w http.ResponseWriter, r *http.Request) {
		sub := r.Header.Get("X-Forwarded-User") // set by forward-auth in front of this route
		if sub == "" {
			http.Error(w, "sign-in required", http.StatusUnauthorized)
			return
		}
		oauthSrv.Verify(w, r, sub, r.Header.Get("X-Real-IP"))
	})
	mux.Handle("/scim/v2/Users/{id}", &scim.Handler{D: deprov})
	mux.HandleFunc("POST /breakglass/{resource}", func(w http.ResponseWriter, r *http.Request) {
		sub := r.Header.Get("X-Forwarded-User")
		req, err := bg.Open(r.Context(), sub, r.PathValue("resource"), r.PostFormValue("reason"))
		outcome := "opened"
		if err != nil {
			outcome = err.Error()
		}
		_ = trail.Record(r.Context(), audit.Event{Actor: sub, Action: "breakglass.open", Target: r.PathValue("resource"), Outcome: outcome})
		switch {
		case errors.Is(err, breakglass.ErrInProgress), errors.Is(err, breakglass.ErrQuota):
			http.Error(w, err.Error(), http.StatusConflict)
		case err != nil:
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
		default:
			w.Header().Set("Content-Type", "application/json")
			_ = json.NewEncoder(w).Encode(req)
		}
	})

	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := authzSrv.FlushStats(ctx); err != nil {
					log.Warn("flush stats", "err", err)
				}
				if err := bg.Sweep(ctx); err != nil {
					log.Warn("breakglass sweep", "err", err)
				}
			}
		}
	}()

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("gateway listening", "addr", srv.Addr, "namespace", store.Namespace())
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}
