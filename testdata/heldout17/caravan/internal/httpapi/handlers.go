package httpapi

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"example.com/caravan/internal/dispatch"
	"example.com/caravan/internal/fleet"
	"example.com/caravan/internal/keys"
	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/platform/codec"
	"example.com/caravan/internal/storage"
)

type dispatchRequest struct {
	Tenant     string        `json:"tenant"`
	ShipmentID string        `json:"shipment_id"`
	Depot      string        `json:"depot"`
	Pickup     fleet.Address `json:"pickup"`
	Dispatcher string        `json:"dispatcher"`
}

// makeDispatch assigns the nearest available driver to a shipment.
func makeDispatch(st storage.Store, bus *dispatch.Bus, m *dispatch.Matcher, clk clock.Clock) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var req dispatchRequest
		if !readJSON(w, r, &req) {
			return
		}
		cands, err := m.Candidates(ctx, req.Tenant, req.Depot, req.Pickup)
		if err != nil {
			writeErr(w, err)
			return
		}
		if len(cands) == 0 {
			http.Error(w, "no driver available in range", http.StatusConflict)
			return
		}
		picked := cands[0]
		sh, err := dispatch.Send[fleet.Shipment](ctx, bus, dispatch.AssignDriver{
			Tenant: req.Tenant, ShipmentID: req.ShipmentID, DriverID: picked.DriverID, Actor: req.Dispatcher,
		})
		if err != nil {
			writeErr(w, err)
			return
		}
		stamp, _ := json.Marshal(map[string]any{
			"tenant": req.Tenant, "shipment_id": sh.ID, "driver_id": picked.DriverID,
			"distance_km": picked.DistanceKm, "at": clk.Now(),
		})
		_ = st.Put(ctx, "fleet:last-dispatch", stamp, 0) // EXPECT kvhotkey
		writeJSON(w, http.StatusOK, sh)
	}
}

// makeTrackingView serves the public tracking page's data.
func makeTrackingView(st storage.Store, edge *Edge, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		id := r.PathValue("trackingID")
		raw, _ := st.Get(ctx, keys.Tracking(id)) // EXPECT kvnull
		var view fleet.TrackingView
		if err := json.Unmarshal(raw, &view); err != nil {
			http.Error(w, "tracking data unreadable", http.StatusInternalServerError)
			return
		}
		if _, err := edge.CountView(ctx, id); err != nil {
			log.WarnContext(ctx, "view not counted", "tracking", id, "err", err)
		}
		w.Header().Set("Cache-Control", "public, max-age=30")
		writeJSON(w, http.StatusOK, view)
	}
}

var defaultPrefs = fleet.Prefs{Language: "en", Units: "metric", VoiceGuidance: true}

func makeUpdatePrefs(st storage.Store) http.HandlerFunc {
	prefs := storage.NewTyped[fleet.Prefs](st, codec.JSON[fleet.Prefs]{})
	return func(w http.ResponseWriter, r *http.Request) {
		s := sessionFrom(r)
		var patch fleet.PrefsPatch
		if !readJSON(w, r, &patch) {
			return
		}
		key := keys.Driver{Tenant: s.Tenant, ID: s.DriverID}.Prefs()
		cur := prefs.LoadOrZero(r.Context(), key) // EXPECT kvnull
		if cur == (fleet.Prefs{}) {
			cur = defaultPrefs
		}
		next := cur.Merge(patch)
		if err := prefs.Save(r.Context(), key, next, 0); err != nil { // EXPECT kvrace
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, next)
	}
}

// adminPageSize is how many keys the admin key browser shows per page.
const adminPageSize = 2000

func makeAdminKeys(st storage.Store) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		l, ok := storage.As[storage.Lister](st)
		if !ok {
			writeErr(w, storage.ErrUnsupported)
			return
		}
		q := r.URL.Query()
		page, err := l.List(r.Context(), q.Get("prefix"), q.Get("cursor"), adminPageSize) // EXPECT kvlimits
		if err != nil {
			writeErr(w, err)
			return
		}
		names := make([]string, 0, len(page.Keys))
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		writeJSON(w, http.StatusOK, map[string]any{"keys": names, "cursor": page.Cursor, "complete": page.Complete})
	}
}

func makeHeartbeat(e *Edge) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := e.Heartbeat(r.Context(), sessionFrom(r).DriverID, e.Clock.Now().Format(time.RFC3339)); err != nil {
			http.Error(w, "heartbeat not stored", http.StatusBadGateway)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}
