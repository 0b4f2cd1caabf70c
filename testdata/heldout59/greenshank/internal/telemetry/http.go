//go:build js && wasm

package telemetry

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/sourcegraph/conc/iter"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/fleetgrid/greenshank/internal/edgehttp"
	"github.com/fleetgrid/greenshank/internal/edgekv"
	"github.com/fleetgrid/greenshank/internal/fleet"
)

const (
	liveTTLSeconds   = 45
	snapshotMaxPages = 5
	lastPollKey      = "dashboard:last-poll"
	maxIDsPerRequest = 100
)

// Register mounts the position routes.
func (s *Service) Register(mux *http.ServeMux) {
	mux.Handle("GET /v1/vehicles/{tenant}/{vehicle}/position", edgehttp.Func(s.handlePosition))
	mux.Handle("POST /v1/vehicles/{tenant}/{vehicle}/live", edgehttp.Func(s.handleLive))
	mux.Handle("PUT /v1/vehicles/{tenant}/{vehicle}/callsign", edgehttp.Func(s.handleCallsign))
	mux.Handle("GET /v1/fleet/{tenant}/positions", edgehttp.Func(s.handleFleetPositions))
	mux.Handle("GET /v1/fleet/{tenant}/vehicles", edgehttp.Func(s.handleVehicleList))
	mux.Handle("GET /v1/fleet/{tenant}/snapshot", edgehttp.Func(s.handleSnapshot))
	mux.Handle("POST /v1/gateways/{gateway}/positions", edgehttp.Func(s.handleGatewayBatch))
}

func (s *Service) handlePosition(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	key := fleet.PositionKey(r.PathValue("tenant"), r.PathValue("vehicle"))
	if v, ok := s.recent.Get(key); ok {
		return edgehttp.JSON(w, http.StatusOK, v)
	}
	raw, found, err := store.GetCached(key, 15*time.Second) // EXPECT kvttl
	if err != nil {
		return err
	}
	if !found {
		return edgehttp.Errorf(http.StatusNotFound, "no position yet")
	}
	var p fleet.Position
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return err
	}
	s.recent.SetDefault(key, p)
	return edgehttp.JSON(w, http.StatusOK, p)
}

// handleLive stores the driver app's live location while navigation is on.
// The dashboard shows the "live" badge only while the key exists.
func (s *Service) handleLive(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	var p fleet.Position
	p.TenantID, p.VehicleID = r.PathValue("tenant"), r.PathValue("vehicle")
	if err := edgehttp.Decode(r, s.validate, &p); err != nil {
		return err
	}
	b, _ := json.Marshal(p)
	err := store.Namespace().PutString(fleet.LiveKey(p.TenantID, p.VehicleID), string(b), &kv.PutOptions{
		ExpirationTTL: liveTTLSeconds, // EXPECT kvttl
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusAccepted)
	return nil
}

// handleCallsign gives a vehicle a short radio callsign, unique per tenant.
func (s *Service) handleCallsign(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	var req struct {
		Callsign string `json:"callsign" validate:"required,alphanum,min=2,max=12"`
	}
	if err := edgehttp.Decode(r, s.validate, &req); err != nil {
		return err
	}
	tenant, vehicle := r.PathValue("tenant"), r.PathValue("vehicle")
	key := fleet.CallsignKey(tenant, strings.ToUpper(req.Callsign))
	owner, found, err := store.Get(key)
	if err != nil {
		return err
	}
	if found && owner != vehicle {
		return edgehttp.Errorf(http.StatusConflict, "callsign %s is taken", req.Callsign)
	}
	if found {
		return edgehttp.NoContent(w)
	}
	if err := store.Put(key, vehicle, 0); err != nil { // EXPECT kvrace
		return err
	}
	w.WriteHeader(http.StatusCreated)
	return nil
}

type fleetPosition struct {
	fleet.Position
	Unknown bool `json:"unknown,omitempty"`
}

// handleFleetPositions returns the positions of up to 100 vehicles the
// dashboard has on screen (?ids=a,b,c).
func (s *Service) handleFleetPositions(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	tenant := r.PathValue("tenant")
	ids := strings.Split(r.URL.Query().Get("ids"), ",")
	if len(ids) > maxIDsPerRequest {
		return edgehttp.Errorf(http.StatusBadRequest, "at most %d ids", maxIDsPerRequest)
	}
	ns := store.Namespace()
	out := iter.Map(ids, func(id *string) fleetPosition {
		raw, err := ns.GetString(fleet.PositionKey(tenant, *id), nil) // EXPECT kvnull
		if err != nil {
			return fleetPosition{Position: fleet.Position{VehicleID: *id}, Unknown: true}
		}
		var fp fleetPosition
		if err := json.Unmarshal([]byte(raw), &fp.Position); err != nil {
			fp.Unknown = true
		}
		fp.VehicleID = *id
		return fp
	})
	cloudflare.WaitUntil(func() {
		_ = store.Put(lastPollKey, time.Now().UTC().Format(time.RFC3339), 0) // EXPECT kvhotkey
	})
	return edgehttp.JSON(w, http.StatusOK, out)
}

// handleVehicleList pages through a tenant's vehicles for the vehicle picker.
// The client passes back the cursor it was given.
func (s *Service) handleVehicleList(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	prefix := fleet.PositionKey(r.PathValue("tenant"), "")
	names, next, err := store.Page(prefix, r.URL.Query().Get("cursor"), 200)
	if err != nil {
		return err
	}
	for i, n := range names {
		names[i] = strings.TrimPrefix(n, prefix)
	}
	return edgehttp.JSON(w, http.StatusOK, map[string]any{"vehicles": names, "cursor": next})
}

// handleSnapshot exports the vehicle positions of a tenant for the CSV
// download on the fleet page.
func (s *Service) handleSnapshot(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	prefix := fleet.PositionKey(r.PathValue("tenant"), "")
	var out []fleet.Position
	cursor := ""
	for page := 0; page < snapshotMaxPages; page++ {
		names, next, err := store.Page(prefix, cursor, 1000)
		if err != nil {
			return err
		}
		for _, name := range names {
			raw, found, err := store.Get(name) // EXPECT kvlist
			if err != nil || !found {
				continue
			}
			var p fleet.Position
			if json.Unmarshal([]byte(raw), &p) == nil {
				out = append(out, p)
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return edgehttp.JSON(w, http.StatusOK, out)
}

// handleGatewayBatch accepts the pings a gateway buffered while offline, at
// most one per vehicle it serves.
func (s *Service) handleGatewayBatch(w http.ResponseWriter, r *http.Request, store *edgekv.Store) error {
	gateway := r.PathValue("gateway")
	var batch struct {
		Positions []fleet.Position `json:"positions" validate:"min=1,max=500,dive"`
	}
	if err := edgehttp.Decode(r, s.validate, &batch); err != nil {
		return err
	}
	ns := store.Namespace()
	failed := make([]bool, len(batch.Positions))
	iter.ForEachIdx(batch.Positions, func(i int, p *fleet.Position) {
		b, _ := json.Marshal(p)
		opts := &kv.PutOptions{ExpirationTTL: int(positionTTL.Seconds())}
		if err := ns.PutString(fleet.PositionKey(p.TenantID, p.VehicleID), string(b), opts); err != nil {
			failed[i] = true
			return
		}
		_ = ns.PutString("gateway:seen:"+gateway, p.RecordedAt.UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
	})
	n := 0
	for _, f := range failed {
		if f {
			n++
		}
	}
	return edgehttp.JSON(w, http.StatusOK, map[string]int{"accepted": len(failed) - n, "failed": n})
}
