//go:build js && wasm

// Package edge is the rider-facing Worker: HTTP handlers, the trip-event
// queue consumer and the scheduled publisher.
package edge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"brant/internal/domain"
	"brant/internal/edgekv"
)

// App holds the Worker's bindings.
type App struct {
	Sessions domain.EdgeStore // SESSIONS
	Fleet    domain.EdgeStore // FLEET
	Config   domain.EdgeStore // CONFIG
	Codes    *kv.Namespace    // FLEET, raw binding
	Rules    *kv.Namespace    // CONFIG, raw binding
	Origin   string
	Now      func() time.Time
}

// NewApp binds the namespaces the Worker uses.
func NewApp(origin string) (*App, error) {
	sessions, err := edgekv.New("SESSIONS")
	if err != nil {
		return nil, err
	}
	fleet, err := edgekv.New("FLEET")
	if err != nil {
		return nil, err
	}
	config, err := edgekv.New("CONFIG")
	if err != nil {
		return nil, err
	}
	codes, err := cloudflare.NewKVNamespace("FLEET")
	if err != nil {
		return nil, err
	}
	rules, err := cloudflare.NewKVNamespace("CONFIG")
	if err != nil {
		return nil, err
	}
	return &App{Sessions: sessions, Fleet: fleet, Config: config, Codes: codes, Rules: rules, Origin: origin, Now: time.Now}, nil
}

// Routes composes the Worker's handlers.
func (a *App) Routes() http.Handler {
	mux := http.NewServeMux()
	sess := &SessionHandler{svc: sessionService{repo: sessionRepo{store: a.Sessions}, now: a.Now}}
	mux.Handle("/v1/sessions", sess)
	mux.Handle("/v1/sessions/me", sess)
	mux.Handle("/v1/oauth/callback", &OAuthCallback{store: a.Sessions, sessions: sess.svc})
	mux.Handle("/v1/magic", &MagicLinkHandler{store: a.Sessions, sessions: sess.svc})
	mux.Handle("/v1/unlock", &UnlockHandler{svc: unlockService{repo: codeRepo{store: a.Fleet}}})
	mux.Handle("/v1/unlock/redeem", &RedeemHandler{fleet: a.Fleet, codes: a.Codes})
	mux.Handle("/v1/holds", &HoldHandler{fleet: a.Fleet, now: a.Now})
	mux.Handle("/v1/surge", &SurgeHandler{config: a.Config, origin: a.Origin})
	mux.Handle("/v1/trips/start", &TripStartHandler{fleet: a.Fleet, now: a.Now})
	mux.Handle("/v1/vehicles/notes", &VehicleNotesHandler{fleet: a.Fleet})
	mux.Handle("/v1/promos/", &PromoPageHandler{config: a.Config})
	return mux
}

func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func httpError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
