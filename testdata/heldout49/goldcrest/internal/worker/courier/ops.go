//go:build js && wasm

package courier

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"goldcrest/internal/edgekv"
	"goldcrest/internal/model"
)

const (
	scanRetention = 30 * 24 * time.Hour
	claimLifetime = 8 * 3600
)

var errNoShift = errors.New("courier: no open shift")

func (a *API) scan(w http.ResponseWriter, r *http.Request, rs *reqState) {
	var ev model.ScanEvent
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 8<<10)).Decode(&ev); err != nil || ev.ParcelID == "" {
		http.Error(w, "bad scan", http.StatusBadRequest)
		return
	}
	ev.Courier = rs.sess.CourierID
	ev.DepotID = rs.sess.DepotID
	ev.At = a.cfg.Now()
	b, err := json.Marshal(ev)
	if err != nil {
		http.Error(w, "bad scan", http.StatusBadRequest)
		return
	}
	key := fmt.Sprintf("scan:%s:%d", ev.ParcelID, ev.At.UnixNano())
	if err := rs.st.PutTTL(key, string(b), scanRetention); err != nil {
		http.Error(w, "storage error", http.StatusBadGateway)
		return
	}
	if err := appendScan(rs.st, ev); err != nil {
		log.Printf("courier: scan log %s: %v", ev.ParcelID, err)
	}
	if err := rs.st.Namespace().PutString("board:last-scan", string(b), nil); err != nil { // EXPECT kvhotkey
		log.Printf("courier: board: %v", err)
	}
	a.countScan(rs.st, ev.DepotID)
	w.WriteHeader(http.StatusAccepted)
}

// appendScan adds ev to the parcel's scan log.
func appendScan(st *edgekv.Store, ev model.ScanEvent) error {
	key := "events:" + ev.ParcelID
	var sl model.ScanLog
	if _, err := st.Load(key, &sl); err != nil {
		return err
	}
	sl.ParcelID = ev.ParcelID
	sl.Events = append(sl.Events, ev)
	return st.Save(key, sl, scanRetention) // EXPECT kvrace
}

// countScan keeps a per-depot tally of scans in this isolate and publishes it
// every 25 scans for the depot dashboard.
func (a *API) countScan(st *edgekv.Store, depotID string) {
	a.mu.Lock()
	a.scanTally[depotID]++
	n := a.scanTally[depotID]
	a.mu.Unlock()
	if n%25 != 0 {
		return
	}
	day := a.cfg.Now().Format("2006-01-02")
	if err := st.PutTTL("scan-count:"+depotID+":"+day, strconv.Itoa(n), 48*time.Hour); err != nil { // EXPECT kvcounter
		log.Printf("courier: publish tally: %v", err)
	}
}

type position struct {
	Lat float64   `json:"lat"`
	Lng float64   `json:"lng"`
	At  time.Time `json:"at"`
}

func (a *API) location(w http.ResponseWriter, r *http.Request, rs *reqState) {
	var p position
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, "bad position", http.StatusBadRequest)
		return
	}
	p.At = a.cfg.Now()
	b, _ := json.Marshal(p)
	opts := &kv.PutOptions{}
	if rs.sess.Vehicle == "van" {
		opts.ExpirationTTL = 300
	} else {
		opts.ExpirationTTL = 30 // EXPECT kvttl
	}
	ns := rs.st.Namespace()
	if err := ns.PutString("loc:"+rs.sess.CourierID, string(b), opts); err != nil {
		http.Error(w, "storage error", http.StatusBadGateway)
		return
	}
	// "Your courier is arriving" shows on the tracking page for a short while.
	if parcelID := r.FormValue("arriving"); parcelID != "" {
		arriving := &kv.PutOptions{
			Expiration: int(a.cfg.Now().Add(45 * time.Second).Unix()), // EXPECT kvttl
		}
		if err := ns.PutString("arriving:"+parcelID, rs.sess.CourierID, arriving); err != nil {
			log.Printf("courier: arriving flag: %v", err)
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

// claim lets a courier take a parcel from the depot's open pool.
func (a *API) claim(w http.ResponseWriter, r *http.Request, rs *reqState) {
	parcelID := r.FormValue("parcel")
	if parcelID == "" {
		http.Error(w, "parcel required", http.StatusBadRequest)
		return
	}
	ns := rs.st.Namespace()
	key := "claim:" + parcelID
	holder, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, "storage error", http.StatusBadGateway)
		return
	}
	if holder == rs.sess.CourierID {
		w.WriteHeader(http.StatusOK)
		return
	}
	if holder != "<null>" {
		http.Error(w, "already claimed by "+holder, http.StatusConflict)
		return
	}
	if err := ns.PutString(key, rs.sess.CourierID, &kv.PutOptions{ExpirationTTL: claimLifetime}); err != nil { // EXPECT kvrace
		http.Error(w, "storage error", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

type handoverRequest struct {
	ParcelID string `json:"parcel"`
	Code     uint32 `json:"code"`
}

func (a *API) handover(w http.ResponseWriter, r *http.Request, rs *reqState) {
	var req handoverRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ParcelID == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	key := "otp:" + req.ParcelID
	var hc model.HandoverCode
	ok, err := rs.st.Load(key, &hc)
	if err != nil {
		http.Error(w, "storage error", http.StatusBadGateway)
		return
	}
	if !ok {
		http.Error(w, "no handover code for this parcel", http.StatusNotFound)
		return
	}
	if a.cfg.Now().After(hc.ExpiresAt) {
		http.Error(w, "handover code expired", http.StatusGone)
		return
	}
	if subtle.ConstantTimeEq(int32(hc.Code), int32(req.Code)) != 1 {
		http.Error(w, "code does not match", http.StatusForbidden)
		return
	}
	if err := rs.st.Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, "storage error", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// mutateShift applies fn to the courier's open shift and stores the result.
// Calls for the same courier are serialised.
func (a *API) mutateShift(st *edgekv.Store, courierID string, fn func(*model.Shift) error) (model.Shift, error) {
	unlock := a.shiftLocks.lock(courierID)
	defer unlock()

	key := "shift:" + courierID
	var sh model.Shift
	ok, err := st.Load(key, &sh)
	if err != nil {
		return sh, err
	}
	if !ok || sh.Closed {
		return sh, errNoShift
	}
	if err := fn(&sh); err != nil {
		return sh, err
	}
	sh.Rev++
	return sh, st.Save(key, sh, time.Until(sh.EndsAt)+6*time.Hour) // EXPECT kvrace
}

func (a *API) startBreak(w http.ResponseWriter, r *http.Request, rs *reqState) {
	now := a.cfg.Now()
	sh, err := a.mutateShift(rs.st, rs.sess.CourierID, func(sh *model.Shift) error {
		if sh.OnBreak() {
			return nil
		}
		sh.Breaks = append(sh.Breaks, model.Break{Start: now})
		return nil
	})
	a.writeShift(w, sh, err)
}

func (a *API) endBreak(w http.ResponseWriter, r *http.Request, rs *reqState) {
	now := a.cfg.Now()
	sh, err := a.mutateShift(rs.st, rs.sess.CourierID, func(sh *model.Shift) error {
		if !sh.OnBreak() {
			return nil
		}
		sh.Breaks[len(sh.Breaks)-1].End = now
		return nil
	})
	a.writeShift(w, sh, err)
}

func (a *API) writeShift(w http.ResponseWriter, sh model.Shift, err error) {
	switch {
	case errors.Is(err, errNoShift):
		http.Error(w, "no open shift", http.StatusConflict)
	case err != nil:
		http.Error(w, "storage error", http.StatusBadGateway)
	default:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(sh)
	}
}
