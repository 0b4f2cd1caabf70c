// Command backoffice runs next to the booking database. It mirrors
// reservations and credit balances into KV, answers the admin UI, and runs
// the nightly occupancy report when started with -nightly.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"sync"
	"time"

	"merganser/internal/cfkv"
	"merganser/internal/credits"
	"merganser/internal/mirror"
	"merganser/internal/occupancy"
	"merganser/internal/teams"
)

type app struct {
	bookings *cfkv.Namespace
	public   *cfkv.Namespace

	mu      sync.Mutex
	publish *time.Timer
	notice  string
}

func main() {
	var (
		addr    = flag.String("addr", ":8081", "listen address")
		nightly = flag.Bool("nightly", false, "run the occupancy report and exit")
	)
	flag.Parse()
	token, account := os.Getenv("CLOUDFLARE_API_TOKEN"), os.Getenv("CLOUDFLARE_ACCOUNT_ID")
	a := &app{
		bookings: cfkv.New(token, account, os.Getenv("KV_BOOKINGS")),
		public:   cfkv.New(token, account, os.Getenv("KV_PUBLIC")),
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	if *nightly {
		rep, err := occupancy.Nightly(ctx, a.bookings, time.Now())
		if err != nil {
			log.Fatal(err)
		}
		log.Printf("occupancy %s: %d reservations, %d no-shows", rep.Day, rep.Total, rep.NoShows)
		return
	}

	mux := http.NewServeMux()
	mux.HandleFunc("/admin/credits/grant", a.grant)
	mux.HandleFunc("/admin/teams/claim", a.claim)
	mux.HandleFunc("/admin/teams/book-room", a.bookRoom)
	mux.HandleFunc("/admin/sync/reservations", a.syncReservations)
	mux.HandleFunc("/admin/notice", a.setNotice)
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

func (a *app) grant(w http.ResponseWriter, r *http.Request) {
	var bal credits.Balance
	if err := json.NewDecoder(r.Body).Decode(&bal); err != nil || bal.MemberID == "" {
		http.Error(w, "bad balance", http.StatusBadRequest)
		return
	}
	if err := credits.Grant(r.Context(), a.bookings, bal); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *app) claim(w http.ResponseWriter, r *http.Request) {
	var t teams.Team
	if err := json.NewDecoder(r.Body).Decode(&t); err != nil {
		http.Error(w, "bad team", http.StatusBadRequest)
		return
	}
	err := teams.ClaimSlug(r.Context(), a.public, t)
	if err == nil {
		err = teams.EnsureBranding(r.Context(), a.public, t.ID)
	}
	switch {
	case errors.Is(err, teams.ErrSlugTaken):
		http.Error(w, "slug taken", http.StatusConflict)
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadGateway)
	default:
		w.WriteHeader(http.StatusCreated)
	}
}

func (a *app) bookRoom(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	hours, err := strconv.ParseInt(q.Get("hours"), 10, 64)
	if err != nil || hours <= 0 {
		http.Error(w, "bad hours", http.StatusBadRequest)
		return
	}
	quota, _ := strconv.ParseInt(q.Get("quota"), 10, 64)
	used, err := teams.UseRoomHours(r.Context(), a.bookings, q.Get("team"), hours, max(quota, 0))
	if errors.Is(err, teams.ErrQuotaExceeded) {
		http.Error(w, "quota exceeded", http.StatusPaymentRequired)
		return
	} else if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]int64{"used": used})
}

func (a *app) syncReservations(w http.ResponseWriter, r *http.Request) {
	var batch struct {
		Rows   []mirror.Reservation `json:"rows"`
		Window string               `json:"checkin_window"`
	}
	if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
		http.Error(w, "bad batch", http.StatusBadRequest)
		return
	}
	window, err := time.ParseDuration(batch.Window)
	if err != nil {
		window = 20 * time.Minute
	}
	ctx := r.Context()
	for _, step := range []struct {
		name string
		run  func() error
	}{
		{"confirmed", func() error { return mirror.PushConfirmed(ctx, a.bookings, batch.Rows) }},
		{"metadata", func() error { return mirror.PushWithMetadata(ctx, a.bookings, batch.Rows) }},
		{"checkin", func() error { return mirror.OpenCheckIn(ctx, a.public, batch.Rows, window) }},
	} {
		if err := step.run(); err != nil {
			http.Error(w, step.name+": "+err.Error(), http.StatusBadGateway)
			return
		}
	}
	_ = a.public.Put(ctx, "ops:last-sync", time.Now().UTC().Format(time.RFC3339), 0) // DEBATABLE kvhotkey
	w.WriteHeader(http.StatusNoContent)
}

// setNotice changes the lobby notice. Editors type into a live preview, so
// the write happens a few seconds after the last change.
func (a *app) setNotice(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad notice", http.StatusBadRequest)
		return
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.notice = req.Text
	if a.publish != nil {
		a.publish.Stop()
	}
	a.publish = time.AfterFunc(3*time.Second, func() {
		a.mu.Lock()
		text := a.notice
		a.mu.Unlock()
		if err := a.public.Put(context.Background(), "board:banner", text, 0); err != nil {
			log.Printf("notice: %v", err)
		}
	})
	w.WriteHeader(http.StatusAccepted)
}
