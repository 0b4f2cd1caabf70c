//go:build js && wasm

// Command edge is the Bittern Worker: private feeds, audio downloads, the
// creator dashboard API and the scheduled maintenance jobs.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"bittern/internal/analytics"
	"bittern/internal/edgekv"
	"bittern/internal/episodes"
	"bittern/internal/feeds"
	"bittern/internal/jobs"
	"bittern/internal/kvctx"
	"bittern/internal/model"
	"bittern/internal/origin"
	"bittern/internal/quota"
	"bittern/internal/sessions"
)

// cronSchedule maps the cron triggers in wrangler.toml to registered jobs.
var cronSchedule = map[string][]string{
	"*/5 * * * *": {"publish-due"},
	"0 * * * *":   {"prune-feed-cache", "refresh-charts"},
	"15 0 * * *":  {"rollup-downloads", "purge-legacy-uniques", "rebuild-directory"},
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /feed/{token}", public(func(ctx context.Context, r *http.Request) (any, error) {
		if err := quota.AllowIP(ctx, clientIP(r), time.Now()); err != nil {
			return nil, err
		}
		return feeds.Render(ctx, r.PathValue("token"))
	}))
	mux.HandleFunc("GET /feed/{token}/archive", public(func(ctx context.Context, r *http.Request) (any, error) {
		return feeds.RenderArchive(ctx, r.PathValue("token"))
	}))
	mux.HandleFunc("POST /feed/{token}/rotate", public(func(ctx context.Context, r *http.Request) (any, error) {
		tok, err := feeds.Rotate(ctx, r.PathValue("token"))
		return map[string]string{"feed_url": "https://feeds.bittern.fm/feed/" + tok}, err
	}))
	mux.HandleFunc("POST /subscribe", public(func(ctx context.Context, r *http.Request) (any, error) {
		sub, err := origin.Fetch[model.Subscriber](ctx, origin.Path("subscribers", r.FormValue("subscriber")))
		if err != nil {
			return nil, err
		}
		tok, err := feeds.Issue(ctx, sub)
		return redirect("/feed/" + tok), err
	}))
	mux.HandleFunc("GET /dl/{episode}", public(download))
	mux.HandleFunc("POST /beacons/{show}", public(func(ctx context.Context, r *http.Request) (any, error) {
		var batch []analytics.Beacon
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			return nil, errBadRequest
		}
		return nil, analytics.IngestBeacons(ctx, r.PathValue("show"), batch)
	}))
	mux.HandleFunc("POST /me/{subscriber}/hide/{episode}", public(func(ctx context.Context, r *http.Request) (any, error) {
		return nil, feeds.HideEpisode(ctx, r.PathValue("subscriber"), r.PathValue("episode"))
	}))
	mux.HandleFunc("POST /hooks/billing/cancelled", public(func(ctx context.Context, r *http.Request) (any, error) {
		var ev struct{ FeedToken, Reason string }
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil || ev.FeedToken == "" {
			return nil, errBadRequest
		}
		return nil, feeds.Revoke(ctx, ev.FeedToken, ev.Reason)
	}))
	mux.HandleFunc("POST /hooks/cdn", cdnWebhook)

	mux.HandleFunc("POST /login", public(func(ctx context.Context, r *http.Request) (any, error) {
		_, err := sessions.SendMagicLink(ctx, r.FormValue("email"))
		return nil, err
	}))
	mux.HandleFunc("GET /login/{code}", public(func(ctx context.Context, r *http.Request) (any, error) {
		creator, err := sessions.Redeem(ctx, r.PathValue("code"))
		if err != nil {
			return nil, err
		}
		return startSession(ctx, creator.ID, "/dashboard")
	}))

	mux.HandleFunc("POST /logout", authed(func(ctx context.Context, r *http.Request, sess *model.Session) (any, error) {
		return nil, sessions.End(ctx, sess.ID)
	}))
	mux.HandleFunc("POST /dashboard/password-changed", authed(func(ctx context.Context, r *http.Request, sess *model.Session) (any, error) {
		return nil, sessions.EndAll(ctx, sess.CreatorID)
	}))
	mux.HandleFunc("GET /dashboard/csrf", authed(func(ctx context.Context, r *http.Request, sess *model.Session) (any, error) {
		nonce, err := sessions.IssueCSRF(ctx, sess)
		return map[string]string{"csrf": nonce}, err
	}))
	mux.HandleFunc("POST /dashboard/sudo", authed(func(ctx context.Context, r *http.Request, sess *model.Session) (any, error) {
		if !sessions.CheckCSRF(ctx, sess, r.FormValue("csrf")) {
			return nil, errBadRequest
		}
		return nil, sessions.Elevate(ctx, sess)
	}))
	mux.HandleFunc("POST /dashboard/shows/{show}/episodes", authed(func(ctx context.Context, r *http.Request, sess *model.Session) (any, error) {
		var ep model.Episode
		if err := json.NewDecoder(r.Body).Decode(&ep); err != nil {
			return nil, errBadRequest
		}
		ep.ShowID = r.PathValue("show")
		preview, err := episodes.Publish(ctx, ep)
		return map[string]string{"id": ep.ID, "preview": preview}, err
	}))
	mux.HandleFunc("PUT /dashboard/shows/{show}/episodes/{episode}", authed(func(ctx context.Context, r *http.Request, sess *model.Session) (any, error) {
		var ep model.Episode
		if err := json.NewDecoder(r.Body).Decode(&ep); err != nil {
			return nil, errBadRequest
		}
		ep.ShowID, ep.ID = r.PathValue("show"), r.PathValue("episode")
		debounce, _ := time.ParseDuration(cloudflare.Getenv("FEED_REBUILD_DEBOUNCE"))
		return nil, episodes.Edit(ctx, ep, sess.CreatorID, debounce)
	}))
	mux.HandleFunc("POST /dashboard/shows/{show}/episodes/{episode}/pin", authed(func(ctx context.Context, r *http.Request, sess *model.Session) (any, error) {
		return nil, episodes.TogglePin(ctx, r.PathValue("show"), r.PathValue("episode"))
	}))
	mux.HandleFunc("GET /dashboard/shows/{show}/episodes/{episode}", authed(func(ctx context.Context, r *http.Request, sess *model.Session) (any, error) {
		return episodes.Stored(ctx, r.PathValue("show"), r.PathValue("episode"))
	}))
	mux.HandleFunc("POST /dashboard/shows/{show}/import", authed(func(ctx context.Context, r *http.Request, sess *model.Session) (any, error) {
		var eps []model.Episode
		if err := json.NewDecoder(r.Body).Decode(&eps); err != nil {
			return nil, errBadRequest
		}
		n, err := episodes.Import(ctx, r.PathValue("show"), eps)
		return map[string]int{"imported": n}, err
	}))
	mux.HandleFunc("DELETE /dashboard/shows/{show}", authed(func(ctx context.Context, r *http.Request, sess *model.Session) (any, error) {
		return nil, episodes.DeleteShow(ctx, r.PathValue("show"))
	}))

	cron.ScheduleTaskNonBlock(runCron)
	workers.Serve(withStores(mux))
}

func download(ctx context.Context, r *http.Request) (any, error) {
	now := time.Now()
	if err := quota.AllowIP(ctx, clientIP(r), now); err != nil {
		return nil, err
	}
	rec, err := feeds.Resolve(ctx, r.URL.Query().Get("t"))
	if err != nil {
		return nil, err
	}
	sub := model.Subscriber{ID: rec.SubscriberID, ShowID: rec.ShowID, Tier: rec.Tier}
	if err := quota.ChargeDownload(ctx, sub, now); err != nil {
		return nil, err
	}
	ep, err := episodes.Get(ctx, r.PathValue("episode"))
	if err != nil {
		return nil, err
	}
	if rng := r.Header.Get("Range"); rng == "" || rng == "bytes=0-" {
		if err := analytics.RecordDownload(ctx, ep, rec.SubscriberID, now); err != nil {
			slog.WarnContext(ctx, "analytics", "err", err)
		}
		if err := analytics.NowPlaying(ctx, ep); err != nil {
			slog.WarnContext(ctx, "now playing", "err", err)
		}
	}
	return redirect(ep.AudioURL), nil
}

func startSession(ctx context.Context, creatorID, next string) (any, error) {
	sess, err := sessions.Start(ctx, creatorID)
	if err != nil {
		return nil, err
	}
	return redirect(next).withCookie(&http.Cookie{
		Name: sessions.CookieName, Value: sess.ID, Path: "/",
		HttpOnly: true, Secure: true, SameSite: http.SameSiteLaxMode,
		MaxAge: int((14 * 24 * time.Hour).Seconds()),
	}), nil
}

var writeBytes = map[string]int{}

func observeWrite(family string, n int) { writeBytes[family] += n }

// attachStores opens the KV bindings and puts them in ctx.
func attachStores(ctx context.Context) (context.Context, error) {
	primary, err := edgekv.Open("BITTERN_KV")
	if err != nil {
		return nil, err
	}
	cache, err := edgekv.Open("FEED_CACHE")
	if err != nil {
		return nil, err
	}
	var store edgekv.KV = edgekv.Metered{KV: primary, Sink: observeWrite}
	return kvctx.WithCache(kvctx.With(ctx, store), cache), nil
}

func withStores(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin.Default.Token = cloudflare.Getenv("ORIGIN_TOKEN")
		ctx, err := attachStores(r.Context())
		if err != nil {
			http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
			return
		}
		applyBanner(ctx, w)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

func runCron(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	if ctx, err = attachStores(ctx); err != nil {
		return err
	}
	var errs []error
	for _, name := range cronSchedule[ev.Cron] {
		errs = append(errs, jobs.Run(ctx, name))
	}
	return errors.Join(errs...)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return r.RemoteAddr
}
