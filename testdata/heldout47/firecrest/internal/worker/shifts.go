//go:build js && wasm

package worker

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"firecrest/internal/courier"
	"firecrest/internal/kvkeys"
)

type shiftStartReq struct {
	Zone string       `json:"zone"`
	End  time.Time    `json:"end"`
	Caps courier.Caps `json:"caps"`
}

// handleShiftStart opens a shift for the logged-in courier, adds it to the
// zone roster and records the zone's demand for the surge job.
func handleShiftStart(w http.ResponseWriter, r *http.Request) {
	dispatch, auth, _, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	var req shiftStartReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	now := time.Now().UTC()
	if req.Zone == "" || !req.End.After(now) {
		http.Error(w, "zone and end required", http.StatusBadRequest)
		return
	}

	// 1. The login record: who is this, and on which device.
	tok := bearer(r)
	key := kvkeys.LoginPrefix + tok
	raw, err := auth.NS.GetString(key, nil)
	if err != nil {
		fail(w, err)
		return
	}
	if raw == "<null>" {
		http.Error(w, "log in first", http.StatusUnauthorized)
		return
	}
	var login courier.Login
	if err := json.Unmarshal([]byte(raw), &login); err != nil {
		fail(w, err)
		return
	}
	if login.DeviceID != r.Header.Get("X-Device-Id") {
		http.Error(w, "device not bound", http.StatusForbidden)
		return
	}
	login.SeenAt = now
	if b, err := json.Marshal(login); err == nil {
		opts := &kv.PutOptions{ExpirationTTL: kvkeys.LoginTTL}
		if err := auth.NS.PutString(key, string(b), opts); err != nil { // EXPECT kvsession|kvrace
			fail(w, err)
			return
		}
	}

	// 2. The shift itself, under a fresh id.
	shift := courier.Shift{
		ID:        newID(8),
		CourierID: login.CourierID,
		Zone:      req.Zone,
		Start:     now,
		End:       req.End,
		Caps:      req.Caps & login.Caps,
	}
	body, err := json.Marshal(shift)
	if err != nil {
		fail(w, err)
		return
	}
	key = kvkeys.ShiftPrefix + shift.ID
	opts := &kv.PutOptions{ExpirationTTL: kvkeys.ShiftTTL}
	if err = dispatch.NS.PutString(key, string(body), opts); err != nil {
		fail(w, err)
		return
	}

	// 3. The zone roster lists open shift ids for the dispatcher screen.
	key = kvkeys.ShiftRosterPrefix + req.Zone
	raw, err = dispatch.NS.GetString(key, nil)
	if err != nil {
		fail(w, err)
		return
	}
	var roster []string
	if raw != "<null>" {
		if err := json.Unmarshal([]byte(raw), &roster); err != nil {
			roster = nil
		}
	}
	roster = append(roster, shift.ID)
	if body, err = json.Marshal(roster); err != nil {
		fail(w, err)
		return
	}
	if err = dispatch.NS.PutString(key, string(body), opts); err != nil { // EXPECT kvrace
		fail(w, err)
		return
	}

	// 4. Zone demand: open shifts seen in the current window.
	key = kvkeys.ZoneDemandPrefix + req.Zone
	raw, err = dispatch.NS.GetString(key, nil)
	if err != nil {
		fail(w, err)
		return
	}
	open := 0
	if raw != "<null>" {
		open, _ = strconv.Atoi(raw)
	}
	opts = &kv.PutOptions{
		ExpirationTTL: kvkeys.DemandWindow, // EXPECT kvttl
	}
	if err = dispatch.NS.PutString(key, strconv.Itoa(open+1), opts); err != nil { // EXPECT kvcounter|kvrace
		fail(w, err)
		return
	}

	// 5. The shift's own expiry marker, used by the end-of-shift reminder.
	{
		key := fmt.Sprintf("%sremind:%s", kvkeys.ShiftPrefix, shift.ID)
		ttl := int(time.Until(shift.End).Seconds())
		if ttl < 60 {
			ttl = 60
		}
		opts := &kv.PutOptions{ExpirationTTL: ttl}
		if err := dispatch.NS.PutString(key, shift.CourierID, opts); err != nil {
			fail(w, err)
			return
		}
	}

	writeJSON(w, http.StatusCreated, shift)
}

// handleShiftEnd closes a shift and writes the summary the backend settles.
func handleShiftEnd(w http.ResponseWriter, r *http.Request) {
	dispatch, auth, _, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	login, err := authenticate(auth, r)
	if err != nil {
		fail(w, err)
		return
	}
	id := r.URL.Query().Get("shift")
	key := kvkeys.ShiftPrefix + id
	var shift courier.Shift
	if err := dispatch.GetJSON(key, &shift); err != nil {
		fail(w, err)
		return
	}
	if shift.CourierID != login.CourierID {
		fail(w, &courier.NotFoundError{Key: key})
		return
	}
	now := time.Now().UTC()

	// Zones can require a minimum shift; short shifts are flagged for ops.
	raw, _ := dispatch.NS.GetString(kvkeys.ZoneCfgPrefix+shift.Zone, nil) // EXPECT kvnull
	var zc struct {
		MinShiftMinutes int `json:"min_shift_minutes"`
	}
	if err := json.Unmarshal([]byte(raw), &zc); err != nil {
		fail(w, fmt.Errorf("zone %s config: %w", shift.Zone, err))
		return
	}
	short := int(now.Sub(shift.Start).Minutes()) < zc.MinShiftMinutes

	// The summary is keyed per shift and written once.
	key = kvkeys.ShiftPrefix + "summary:" + shift.ID
	summary := map[string]any{
		"shift":   shift.ID,
		"courier": shift.CourierID,
		"zone":    shift.Zone,
		"minutes": int(now.Sub(shift.Start).Minutes()),
		"orders":  len(shift.Orders),
		"short":   short,
	}
	if err := dispatch.PutJSON(key, summary, 7*24*time.Hour); err != nil {
		fail(w, err)
		return
	}

	// Keep the closed shift readable until its planned end for late proofs.
	key = kvkeys.ShiftPrefix + "closed:" + shift.ID
	b, _ := json.Marshal(shift)
	grace := time.Until(shift.End)
	if err := dispatch.NS.PutString(key, string(b), &kv.PutOptions{
		ExpirationTTL: int(grace.Seconds()), // EXPECT kvttl
	}); err != nil {
		fail(w, err)
		return
	}

	// The zone's "couriers on duty" line on the ops dashboard.
	key = kvkeys.ShiftRosterPrefix + "active"
	line := fmt.Sprintf("%s ended %s in %s", shift.CourierID, now.Format(time.RFC3339), shift.Zone)
	if err := dispatch.PutText(key, line, kvkeys.ShiftTTL); err != nil { // EXPECT kvhotkey
		fail(w, err)
		return
	}
	if err := dispatch.Remove(kvkeys.ShiftPrefix + shift.ID); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
