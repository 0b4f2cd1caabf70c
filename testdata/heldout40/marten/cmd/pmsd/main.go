// Command pmsd is the property-management backend: front-desk logins, guest
// keys, inventory, housekeeping and the channel-manager webhooks.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"marten/internal/channel"
	"marten/internal/frontdesk"
	"marten/internal/guest"
	"marten/internal/housekeeping"
	"marten/internal/inventory"
	"marten/internal/kvstore"
	"marten/internal/pmsdb"
)

func main() {
	var (
		addr       = flag.String("addr", ":8080", "listen address")
		property   = flag.String("property", os.Getenv("PMS_PROPERTY"), "property code")
		sessionsNS = flag.String("sessions-namespace", os.Getenv("PMS_SESSIONS_NAMESPACE"), "KV namespace of staff sessions")
		roomTTL    = flag.Duration("room-cache-ttl", 15*time.Minute, "lifetime of cached room records")
		hkWindow   = flag.Duration("hk-window", 5*time.Second, "coalescing window of tablet updates")
		perMinute  = flag.Int("channel-budget", 120, "outbound calls per booking site and minute")
	)
	flag.Parse()

	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}
	frontdesk.Store = kvstore.New(api, os.Getenv("CF_ACCOUNT_ID"), *sessionsNS)
	pms := kvstore.Default()

	db, err := pmsdb.Open(os.Getenv("PMS_DB_DRIVER"), os.Getenv("PMS_DB_DSN"))
	if err != nil {
		log.Fatal(err)
	}

	desk := frontdesk.NewService(db)
	rooms := inventory.NewRooms(pms, db, *property, *roomTTL)
	views := inventory.NewViewTracker(pms, *property)
	board := housekeeping.NewBoard(pms, *property, *hkWindow)
	mgr := channel.NewManager(pms, *property, *perMinute)
	conn := channel.NewConnector(pms, map[string]channel.SiteAuth{})
	cart := &guest.CartHandler{KV: pms}
	keys := guest.NewKeys(pms)

	mux := http.NewServeMux()
	mux.HandleFunc("POST /frontdesk/login", desk.Login)
	mux.HandleFunc("POST /frontdesk/logout", desk.Logout)
	mux.HandleFunc("POST /frontdesk/password", desk.ChangePassword)
	mux.HandleFunc("GET /frontdesk/me", desk.Whoami)
	mux.HandleFunc("POST /frontdesk/handover", desk.Handover)
	mux.HandleFunc("POST /guest/cart/{res}", cart.Add)
	mux.HandleFunc("POST /hk/updates", board.Handle)
	mux.HandleFunc("POST /channel/webhook/{site}", mgr.Webhook)
	mux.HandleFunc("GET /channel/connect/{site}", conn.Connect)
	mux.HandleFunc("GET /channel/callback", conn.Callback)
	mux.HandleFunc("POST /kiosk/{kiosk}/failure", func(w http.ResponseWriter, r *http.Request) {
		locked, err := keys.KioskFailure(r.Context(), r.PathValue("kiosk"))
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write(kvstore.Must(jsonBytes(map[string]bool{"locked": locked})))
	})
	mux.HandleFunc("POST /kiosk/{kiosk}/events", func(w http.ResponseWriter, r *http.Request) {
		var events []guest.KioskEvent
		if err := json.NewDecoder(r.Body).Decode(&events); err != nil {
			http.Error(w, "bad events", http.StatusBadRequest)
			return
		}
		kiosk := r.PathValue("kiosk")
		if err := guest.ArchiveKioskEvents(r.Context(), pms, kiosk, events); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if err := guest.SyncKioskEvents(r.Context(), pms, kiosk, events); err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("GET /rooms/{num}", func(w http.ResponseWriter, r *http.Request) {
		room, err := rooms.Room(r.Context(), r.PathValue("num"))
		if err != nil {
			http.Error(w, "not found", http.StatusNotFound)
			return
		}
		views.Seen(room.Type)
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(kvstore.Must(jsonBytes(room)))
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go views.Run(ctx)
	go board.RunLobbyDisplay(ctx)
	go board.RunSnapshots(ctx)

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("pmsd: listening on %s for property %s", *addr, *property)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}
