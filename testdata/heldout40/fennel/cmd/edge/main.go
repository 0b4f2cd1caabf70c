//go:build js && wasm

// Command edge is the fennel Worker: logins, private feeds, download
// counting and the ad desk, all in front of the origin.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"sync"
	"time"

	"github.com/podloft/fennel/internal/codec"
	"github.com/podloft/fennel/internal/edgekv"
	"github.com/podloft/fennel/internal/keys"
	"github.com/podloft/fennel/internal/worker/ads"
	"github.com/podloft/fennel/internal/worker/auth"
	"github.com/podloft/fennel/internal/worker/feeds"
	"github.com/podloft/fennel/internal/worker/stats"
	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

// Process-wide handles, set up once per isolate.
var (
	sessions *edgekv.Store
	feedKV   *edgekv.Store
	login    *auth.Service
	feedSvc  *feeds.Feeds

	statsOnce sync.Once
	recorder  *stats.Recorder
	statsErr  error
)

const (
	flashTTL      = 30 * time.Second
	directoryETag = "shows:directory:etag"
	activeShows   = "shows:active"
	lastRollup    = "stats:rollup:last-run"
)

func statsRecorder() (*stats.Recorder, error) {
	statsOnce.Do(func() {
		st, err := edgekv.Open("STATS")
		if err != nil {
			statsErr = err
			return
		}
		recorder = stats.NewRecorder(st.Namespace())
	})
	return recorder, statsErr
}

func mustOpen(binding string) *edgekv.Store {
	st, err := edgekv.Open(binding)
	if err != nil {
		log.Fatal(err)
	}
	return st
}

func main() {
	sessions = mustOpen("SESSIONS")
	feedKV = mustOpen("FEEDS")
	origin := cloudflare.Getenv("ORIGIN_URL")
	login = auth.New(sessions, originMailer{origin: origin}, cloudflare.Getenv("PUBLIC_URL"), verifyTOTP)
	feedSvc = feeds.New(feedKV, origin)
	desk := ads.NewDesk(mustOpen("ADS"), cloudflare.Getenv("ADS_HOST"))

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", handleRequestLink)
	mux.HandleFunc("GET /login/callback", handleCallback)
	mux.HandleFunc("POST /login/totp", handleTOTP)
	mux.HandleFunc("POST /logout", handleLogout)
	mux.HandleFunc("GET /feeds/{show}/{token}", handleFeed)
	mux.HandleFunc("GET /dl/{show}/{episode}", handleDownload)
	mux.HandleFunc("GET /shows", handleDirectory)
	mux.Handle("/ads", desk)

	cron.ScheduleTaskNonBlock(nightly)
	workers.Serve(mux)
}

func handleRequestLink(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Creator keys.CreatorID `json:"creator"`
		Email   string         `json:"email"`
		TOTP    bool           `json:"totp"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	err := login.RequestLink(r.Context(), body.Creator, body.Email, r.Header.Get("CF-Connecting-IP"), body.TOTP)
	if errors.Is(err, auth.ErrTooMany) {
		http.Error(w, err.Error(), http.StatusTooManyRequests)
		return
	}
	if err != nil {
		http.Error(w, "could not send link", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func handleCallback(w http.ResponseWriter, r *http.Request) {
	sess, needTOTP, err := login.Redeem(r.Context(), r.URL.Query().Get("t"))
	if err != nil {
		http.Redirect(w, r, "/login?expired=1", http.StatusSeeOther)
		return
	}
	if needTOTP {
		http.Redirect(w, r, "/login/totp", http.StatusSeeOther)
		return
	}
	auth.SetCookie(w, sess)
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

func handleTOTP(w http.ResponseWriter, r *http.Request) {
	sess, err := login.VerifyTOTP(r.Context(), keys.CreatorID(r.FormValue("creator")), r.FormValue("code"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusUnauthorized)
		return
	}
	auth.SetCookie(w, sess)
	http.Redirect(w, r, "/dashboard", http.StatusSeeOther)
}

func handleLogout(w http.ResponseWriter, r *http.Request) {
	if err := login.Logout(r.Context(), r); err != nil {
		http.Error(w, "logout failed", http.StatusInternalServerError)
		return
	}
	if c, err := r.Cookie("fennel_sid"); err == nil {
		_ = sessions.PutUntil(keys.Static("flash:"+c.Value), "signed-out", time.Now().Add(flashTTL)) // EXPECT kvttl
	}
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func handleFeed(w http.ResponseWriter, r *http.Request) {
	show := keys.ShowID(r.PathValue("show"))
	g, err := feedSvc.Resolve(show, r.PathValue("token"))
	if errors.Is(err, feeds.ErrUnknownToken) {
		http.NotFound(w, r)
		return
	}
	if err != nil {
		http.Error(w, "feed unavailable", http.StatusServiceUnavailable)
		return
	}
	xml, err := feedSvc.Render(r.Context(), g)
	if err != nil {
		http.Error(w, "feed unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	_, _ = w.Write([]byte(xml))
}

func handleDownload(w http.ResponseWriter, r *http.Request) {
	show := keys.ShowID(r.PathValue("show"))
	if tok := r.URL.Query().Get("t"); tok != "" {
		ok, err := feedSvc.ResolveFresh(show, tok)
		if err != nil || !ok {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
	}
	rec, err := statsRecorder()
	if err == nil {
		err = rec.Record(w, r)
	}
	if err != nil {
		log.Printf("stats: %v", err)
	}
	http.Redirect(w, r, cloudflare.Getenv("MEDIA_URL")+"/"+string(show)+"/"+r.PathValue("episode")+".mp3", http.StatusFound)
}

// handleDirectory proxies the public show directory and remembers the
// origin's ETag so the nightly job can tell whether it changed.
func handleDirectory(w http.ResponseWriter, r *http.Request) {
	resp, err := http.Get(cloudflare.Getenv("ORIGIN_URL") + "/directory")
	if err != nil {
		http.Error(w, "directory unavailable", http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	if etag := resp.Header.Get("ETag"); etag != "" {
		_ = feedKV.Put(keys.Static(directoryETag), etag, 0) // EXPECT kvhotkey
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

// nightly rolls up yesterday's downloads for every active show.
func nightly(ctx context.Context) error {
	rec, err := statsRecorder()
	if err != nil {
		return err
	}
	shows, ok, err := edgekv.Load[string, []keys.ShowID](feedKV, activeShows)
	if err != nil || !ok {
		return err
	}
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	day := ev.ScheduledTime.Truncate(24 * time.Hour).Add(-24 * time.Hour)
	errc := make(chan error, len(shows))
	for _, show := range shows {
		go func(show keys.ShowID) {
			errc <- rec.Rollup(ctx, show, day)
		}(show)
	}
	var errs []error
	for range shows {
		if err := <-errc; err != nil {
			errs = append(errs, err)
		}
	}
	stamp := string(codec.Stamp(nil, ev.ScheduledTime))
	if err := feedKV.Put(keys.Static(lastRollup), stamp, 0); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

type originMailer struct{ origin string }

func (m originMailer) SendLoginLink(ctx context.Context, to, link string) error {
	status, err := postOrigin(ctx, "/internal/mail/login", map[string]string{"to": to, "link": link})
	if err == nil && status >= 300 {
		err = fmt.Errorf("mailer: status %d", status)
	}
	return err
}

// verifyTOTP asks the origin to check a code; secrets never reach the edge.
func verifyTOTP(creator keys.CreatorID, code string) bool {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	status, err := postOrigin(ctx, "/internal/totp/verify", map[string]string{"creator": string(creator), "code": code})
	return err == nil && status == http.StatusNoContent
}

func postOrigin(ctx context.Context, path string, body any) (int, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, cloudflare.Getenv("ORIGIN_URL")+path, bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
