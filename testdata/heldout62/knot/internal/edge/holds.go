//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

const (
	holdTTL        = 10 * time.Minute
	holdsPerMinute = 5
)

type holdRequest struct {
	SlotID     string `json:"slot_id"`
	PatientRef string `json:"patient_ref"`
}

// createHold reserves a slot for the patient while they fill in intake.
// Capacity lives in D1 so two patients cannot both take the last place.
func (a *App) createHold(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	allowed, err := a.allowHold(clientIP(r))
	if err != nil {
		http.Error(w, "try again", http.StatusBadGateway)
		return
	}
	if !allowed {
		http.Error(w, "too many holds", http.StatusTooManyRequests)
		return
	}
	var in holdRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || in.SlotID == "" {
		http.Error(w, "slot_id required", http.StatusBadRequest)
		return
	}

	res, err := a.DB.ExecContext(ctx,
		`UPDATE slot_capacity SET held = held + 1 WHERE slot_id = ? AND held < capacity`, in.SlotID)
	if err != nil {
		http.Error(w, "hold failed", http.StatusBadGateway)
		return
	}
	if n, _ := res.RowsAffected(); n == 0 {
		http.Error(w, "slot is full", http.StatusConflict)
		return
	}
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	holdID := "hld_" + hex.EncodeToString(b)
	expires := time.Now().Add(holdTTL)
	if _, err := a.DB.ExecContext(ctx,
		`INSERT INTO holds (id, slot_id, patient_ref, expires_at) VALUES (?, ?, ?, ?)`,
		holdID, in.SlotID, in.PatientRef, expires.Unix()); err != nil {
		http.Error(w, "hold failed", http.StatusBadGateway)
		return
	}

	rec, _ := json.Marshal(map[string]any{"slot_id": in.SlotID, "expires_at": expires})
	if err := a.KV.PutString("hold:"+holdID, string(rec), &kv.PutOptions{
		ExpirationTTL: int(holdTTL), // EXPECT kvttl
	}); err != nil {
		http.Error(w, "hold failed", http.StatusBadGateway)
		return
	}

	var held int
	if err := a.DB.QueryRowContext(ctx, `SELECT held FROM slot_capacity WHERE slot_id = ?`, in.SlotID).Scan(&held); err == nil {
		_ = a.KV.PutString("slot-held-count:"+in.SlotID, strconv.Itoa(held), &kv.PutOptions{ExpirationTTL: 300}) // DEBATABLE kvcounter
	}
	writeJSON(w, http.StatusCreated, map[string]any{"hold_id": holdID, "expires_at": expires})
}

func (a *App) allowHold(ip string) (bool, error) {
	key := "rl:holds:" + ip
	v, err := a.KV.GetString(key, nil)
	if err != nil {
		return false, err
	}
	n := 0
	if v != "<null>" {
		n, _ = strconv.Atoi(v)
	}
	if n >= holdsPerMinute {
		return false, nil
	}
	return true, a.KV.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: 60}) // EXPECT kvcounter|kvrace
}
