//go:build js && wasm

// Command quill-edge is the Worker in front of every publication: logins,
// paywalled posts, tracking and signups.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"quill/internal/config"
	"quill/internal/edge/auth"
	"quill/internal/edge/paywall"
	"quill/internal/edge/signup"
	"quill/internal/edge/track"
	"quill/internal/keys"
	"quill/internal/kvstore"
	"quill/internal/tier"
)

func main() {
	cfg, err := config.Load("", func(name string) (string, bool) {
		v := cloudflare.Getenv(name)
		return v, v != ""
	})
	if err != nil {
		panic(err)
	}
	open := func(binding string) *kvstore.Edge {
		st, err := kvstore.OpenEdge(binding, cfg.Cache.EdgeCacheTTL.Duration)
		if err != nil {
			panic(err)
		}
		return st
	}
	home, sessions, posts, stats := open("HOME"), open("SESSIONS"), open("POSTS"), open("STATS")
	// Writers on the Pro plan have their own binding, named in QUILL_TENANTS.
	tenants := kvstore.NewTenants(home, cfg.Namespaces.Tenants, func(binding string) kvstore.Store { return open(binding) })

	org := &origin{base: strings.TrimSuffix(cfg.Origin, "/")}
	authSvc := auth.New(sessions, cfg.Sessions, "https://quill.pub", org)
	pw := paywall.New(posts, cfg.Cache, org, func(r *http.Request) (string, bool) {
		sess, err := authSvc.Lookup(r)
		if err != nil {
			return "", false
		}
		return sess.ReaderID, true
	})
	tr := track.New(stats.Namespace())
	su := signup.New(tenants, home)

	mux := http.NewServeMux()
	mux.HandleFunc("/auth/link", authSvc.RequestLink)
	mux.HandleFunc("/auth/redeem", authSvc.Redeem)
	mux.HandleFunc("/auth/logout", authSvc.Logout)
	mux.HandleFunc("/auth/logout-all", authSvc.LogoutEverywhere)
	mux.HandleFunc("/billing/return", func(w http.ResponseWriter, r *http.Request) {
		if sess, err := authSvc.Lookup(r); err == nil {
			if t, err := org.Entitlement(r.Context(), sess.Writer, sess.ReaderID); err == nil && t != tier.Free {
				_ = authSvc.Upgrade(r.Context(), sess.ID, t)
			}
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	})
	mux.Handle("/p/", pw)
	mux.HandleFunc("/archive/", pw.Archive)
	mux.HandleFunc("/archive", pw.ArchivePage)
	mux.HandleFunc("/save", pw.Save)
	mux.HandleFunc("/internal/purge", pw.Purge)
	mux.HandleFunc("/o/", tr.Open)
	mux.HandleFunc("/c/", tr.Click)
	mux.HandleFunc("/v", tr.View)
	mux.HandleFunc("/subscribe", su.Subscribe)
	mux.HandleFunc("/claim", su.ClaimSlug)

	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := strings.ToLower(r.Host)
		if host == "quill.pub" || host == "www.quill.pub" {
			mux.ServeHTTP(w, r)
			return
		}
		// A writer's subdomain or custom domain.
		key := keys.Domain(host)
		if sub, ok := strings.CutSuffix(host, ".quill.pub"); ok {
			key = keys.Slug(sub)
		}
		writer, found, err := home.Get(r.Context(), key)
		if err != nil || !found {
			http.NotFound(w, r)
			return
		}
		if r.URL.Path == "/sitemap.xml" {
			pw.Sitemap(w, r, writer)
			return
		}
		if rest, ok := strings.CutPrefix(r.URL.Path, "/p/"); ok && !strings.HasPrefix(rest, writer+"/") {
			r.URL.Path = "/p/" + writer + "/" + rest
		}
		mux.ServeHTTP(w, r)
	})

	cron.ScheduleTaskNonBlock(func(ctx context.Context) error { return tr.Rollup(ctx) })
	workers.Serve(root)
}

// origin talks to the quill origin API over fetch.
type origin struct{ base string }

// OriginError is a failed call to the origin.
type OriginError struct {
	Path   string
	Status int
	Err    error
}

func (e *OriginError) Error() string {
	return fmt.Sprintf("origin %s: %d: %v", e.Path, e.Status, e.Err)
}

func (e *OriginError) Unwrap() error { return e.Err }

func (o *origin) do(ctx context.Context, method, path string, q url.Values) ([]byte, http.Header, error) {
	req, err := http.NewRequestWithContext(ctx, method, o.base+path+"?"+q.Encode(), nil)
	if err != nil {
		return nil, nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, nil, &OriginError{Path: path, Err: err}
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 8<<20))
	if res.StatusCode/100 != 2 {
		return nil, nil, &OriginError{Path: path, Status: res.StatusCode, Err: fmt.Errorf("%.200s", body)}
	}
	return body, res.Header, err
}

func (o *origin) Render(ctx context.Context, writer, slug string, kind tier.Kind) (string, bool, error) {
	body, h, err := o.do(ctx, http.MethodGet, "/render", url.Values{"writer": {writer}, "slug": {slug}, "kind": {kind.Prefix()}})
	if err != nil {
		return "", false, fmt.Errorf("render %s/%s: %w", writer, slug, err)
	}
	return string(body), h.Get("X-Quill-Live") == "1", nil
}

func (o *origin) Entitlement(ctx context.Context, writer, readerID string) (tier.Tier, error) {
	body, _, err := o.do(ctx, http.MethodGet, "/entitlement", url.Values{"writer": {writer}, "reader": {readerID}})
	var out struct{ Tier string }
	if err == nil {
		err = json.Unmarshal(body, &out)
	}
	if err != nil {
		return tier.Free, fmt.Errorf("entitlement: %w", err)
	}
	return tier.Parse(out.Tier)
}

func (o *origin) LocalPrice(ctx context.Context, writer, country string) (string, error) {
	body, _, err := o.do(ctx, http.MethodGet, "/price", url.Values{"writer": {writer}, "country": {country}})
	return strings.TrimSpace(string(body)), err
}

func (o *origin) SendLink(ctx context.Context, email, link string) error {
	_, _, err := o.do(ctx, http.MethodPost, "/mail/login", url.Values{"to": {email}, "link": {link}})
	return err
}
