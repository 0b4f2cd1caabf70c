//go:build js && wasm

package sweep

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/crake-mobility/crake/internal/dbgen"
	"github.com/crake-mobility/crake/internal/fleet"
	"github.com/crake-mobility/crake/internal/kvstore"
)

// Telemetry receives the periodic report of each scooter.
type Telemetry struct {
	Store   *kvstore.Store
	Queries *dbgen.Queries
}

type report struct {
	Battery int     `json:"battery"`
	Lat     float64 `json:"lat"`
	Lng     float64 `json:"lng"`
	Locked  bool    `json:"locked"`
}

// Report handles POST /telemetry from a scooter.
func (t *Telemetry) Report(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	id := r.Header.Get("X-Scooter-ID")
	var in report
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || id == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	now := time.Now().UTC()
	if err := t.Queries.TouchScooterSeen(ctx, id, now); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}

	sc := &fleet.Scooter{ID: id}
	found, err := kvstore.Fetch(ctx, t.Store, sc)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if !found {
		http.Error(w, "unknown scooter", http.StatusNotFound)
		return
	}
	sc.Battery = in.Battery
	sc.Lat, sc.Lng = in.Lat, in.Lng
	sc.UpdatedAt = now
	if err := kvstore.Save(ctx, t.Store, sc, 0); err != nil { // EXPECT kvrace
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	_ = t.Store.PutString(ctx, "fleet:telemetry:last", strconv.FormatInt(now.Unix(), 10), 0) // EXPECT kvhotkey
	w.WriteHeader(http.StatusNoContent)
}

type registration struct {
	ID    string `json:"id"`
	Model string `json:"model"`
}

// Register adds a new scooter to the fleet.
func (t *Telemetry) Register(w http.ResponseWriter, r *http.Request) {
	var in registration
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.ID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	sc := &fleet.Scooter{ID: in.ID, Model: in.Model, Status: fleet.StatusAvailable, UpdatedAt: time.Now().UTC()}
	if err := kvstore.Save(r.Context(), t.Store, sc, 0); err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

// Status returns the stored state of one scooter.
func (t *Telemetry) Status(w http.ResponseWriter, r *http.Request) {
	var sc fleet.Scooter
	ok, err := t.Queries.GetScooter(r.Context(), r.URL.Query().Get("id"), &sc)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if !ok {
		http.NotFound(w, r)
		return
	}
	rides, err := t.Queries.GetScooterRides(r.Context(), sc.ID)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(struct {
		fleet.Scooter
		Rides int64 `json:"rides"`
	}{sc, rides})
}
