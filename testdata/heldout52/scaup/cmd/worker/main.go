//go:build js && wasm

// Command worker is the Scaup edge Worker: public episode pages, private
// feeds, listener sign-in and download analytics.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"scaup/internal/analytics"
	"scaup/internal/config"
	"scaup/internal/episodes"
	"scaup/internal/feeds"
	"scaup/internal/listeners"
	"scaup/internal/tenant"
)

type logMetrics struct{}

func (logMetrics) Observe(op, table string, d time.Duration) {
	if d > 250*time.Millisecond {
		log.Printf("kv slow op=%s table=%s took=%s", op, table, d)
	}
}

// origin talks to the publishing API, the source of truth.
type origin struct {
	base  string
	token string
	hc    *http.Client
}

func (o origin) get(ctx context.Context, path string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.base+path, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+o.token)
	resp, err := o.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("origin %s: %s", path, resp.Status)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}

func (o origin) Episode(ctx context.Context, id string) (episodes.Episode, error) {
	var ep episodes.Episode
	err := o.get(ctx, "/v1/networks/"+tenant.From(ctx)+"/episodes/"+id, &ep)
	return ep, err
}

func (o origin) RenderRSS(ctx context.Context, showID, plan string) (string, error) {
	var out struct {
		XML string `json:"xml"`
	}
	err := o.get(ctx, "/v1/networks/"+tenant.From(ctx)+"/shows/"+showID+"/rss?plan="+plan, &out)
	return out.XML, err
}

type mailer struct{ o origin }

func (m mailer) SendMagicLink(ctx context.Context, email, url string) error {
	return m.o.get(ctx, "/v1/mail/magic?to="+email+"&url="+url, &struct{}{})
}

func loadConfig() config.Config {
	var o config.Config
	if v := cloudflare.Getenv("SESSION_TTL"); v != "" {
		if d, err := time.ParseDuration(v); err == nil {
			o.SessionTTL = d
		}
	}
	if v, err := strconv.Atoi(cloudflare.Getenv("FEED_CACHE_SECONDS")); err == nil {
		o.FeedCacheSeconds = v
	}
	if v, err := strconv.Atoi(cloudflare.Getenv("RATE_LIMIT")); err == nil {
		o.RateLimit = v
	}
	return config.Merge(config.DefaultConfig(), o)
}

func mustNS(name string) *cloudflare.KVNamespace {
	ns, err := cloudflare.NewKVNamespace(name)
	if err != nil {
		panic(err)
	}
	return ns
}

func main() {
	cfg := loadConfig()
	m := logMetrics{}
	o := origin{base: cloudflare.Getenv("ORIGIN_URL"), token: cloudflare.Getenv("ORIGIN_TOKEN"), hc: http.DefaultClient}

	mux := http.NewServeMux()
	var (
		eps  *episodes.Store
		auth *listeners.Auth
		tok  *feeds.TokenStore
		rec  *analytics.Recorder
		meta *cloudflare.KVNamespace
	)
	bind := func() {
		meta = mustNS("META")
		eps = episodes.New(meta, cfg, m, o)
		auth = listeners.NewAuth(mustNS("AUTH"), cfg, m)
		auth.Mailer, auth.BaseURL = mailer{o}, cloudflare.Getenv("PUBLIC_URL")
		tok = feeds.New(mustNS("AUTH"), mustNS("FEEDS"), cfg, m)
		tok.Render = o
		rec = analytics.NewRecorder(mustNS("ANALYTICS"), cfg, m)
	}

	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := meta.PutString("health:last-ping", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
			http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte("ok"))
	})
	mux.HandleFunc("GET /d/{episode}/{file}", func(w http.ResponseWriter, r *http.Request) {
		ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
		if err := rec.Allow(ctx, r); err != nil {
			http.Error(w, "slow down", http.StatusTooManyRequests)
			return
		}
		ep, err := eps.Get(ctx, r.PathValue("episode"))
		if err != nil {
			http.NotFound(w, r)
			return
		}
		if err := rec.RecordDownload(ctx, r, ep.ID); err != nil {
			log.Printf("record download %s: %v", ep.ID, err)
		}
		http.Redirect(w, r, ep.AudioURL, http.StatusFound)
	})
	mux.HandleFunc("GET /shows/{show}/stats", func(w http.ResponseWriter, r *http.Request) {
		ctx := tenant.With(r.Context(), r.Header.Get("X-Scaup-Network"))
		ids := strings.Split(r.URL.Query().Get("episodes"), ",")
		charts, err := rec.Charts(ctx, r.PathValue("show"))
		if err != nil {
			log.Printf("charts: %v", err)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]any{
			"downloads": rec.Summaries(ctx, ids, time.Now()),
			"charts":    charts,
		})
	})

	// Bindings only exist inside an invocation, so they are resolved on the
	// first request or cron tick and kept for the life of the isolate.
	var once sync.Once
	setup := func() {
		once.Do(func() {
			bind()
			eps.Register(mux)
			auth.Register(mux)
			tok.Register(mux)
		})
	}
	root := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		setup()
		mux.ServeHTTP(w, r)
	})

	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		setup()
		ev, err := cron.NewEvent(ctx)
		if err != nil {
			return err
		}
		ctx = tenant.With(ctx, cloudflare.Getenv("CRON_NETWORK"))
		if err := rec.Flush(ctx); err != nil {
			return err
		}
		if ev.ScheduledTime.Minute()%15 != 0 {
			return nil
		}
		shows := map[string][]string{}
		for _, show := range strings.Split(cloudflare.Getenv("TRENDING_SHOWS"), ",") {
			idx, err := eps.Index.Get(ctx, show)
			if err != nil {
				continue
			}
			shows[show] = idx.Episodes[:min(len(idx.Episodes), 10)]
		}
		return rec.Trending(ctx, shows)
	})
	workers.ServeNonBlock(root)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}
