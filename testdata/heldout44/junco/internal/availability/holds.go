//go:build js && wasm

// Package availability serves table availability and short-lived table holds
// from the Worker. The reservation database behind the backend API is the
// source of truth; KV keeps read copies and the holds themselves.
package availability

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"junco/internal/config"
	"junco/internal/edgekv"
	"junco/internal/keys"
)

// Hold reserves one table for one slot while the guest pays the deposit.
type Hold struct {
	ID         string    `json:"id"`
	TableID    int       `json:"table_id"`
	Party      int       `json:"party"`
	Slot       time.Time `json:"slot"`
	GuestPhone string    `json:"guest_phone"`
	ExpiresAt  time.Time `json:"expires_at"`
}

// Origin fetches availability from the backend API.
type Origin struct {
	BaseURL string
	Client  *http.Client
}

func (o Origin) Day(ctx context.Context, restaurantID, day string) ([]byte, error) {
	url := fmt.Sprintf("%s/v1/restaurants/%s/availability/%s", o.BaseURL, restaurantID, day)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, err
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("origin: %s", resp.Status)
	}
	return io.ReadAll(resp.Body)
}

// Handler serves the availability and hold routes.
type Handler struct {
	Binding string
	Cfg     config.Config
	Origin  Origin
}

func (h *Handler) Register(mux *http.ServeMux) {
	mux.HandleFunc("GET /availability/{day}", h.getDay)
	mux.HandleFunc("POST /holds/{table}", h.placeHold)
	mux.HandleFunc("DELETE /holds/{table}/{slot}", h.releaseHold)
	mux.HandleFunc("POST /availability/{day}/block", h.blockSlots)
}

// open binds the store and installs the hold-index hook.
func (h *Handler) open() (*edgekv.Store, error) {
	st, err := edgekv.Open(h.Binding)
	if err != nil {
		return nil, err
	}
	st.BeforeSave(func(key, value string) error {
		if len(key) > 512 {
			return fmt.Errorf("key too long: %d bytes", len(key))
		}
		return nil
	})
	st.AfterDelete(func(key string) { h.unindexHold(st, key) })
	return st, nil
}

// unindexHold removes a deleted hold from its day index.
func (h *Handler) unindexHold(st *edgekv.Store, key string) {
	if !strings.HasPrefix(key, keys.PrefixHold) {
		return
	}
	parts := strings.Split(key, ":")
	if len(parts) < 4 {
		return
	}
	idxKey := keys.HoldIndex(parts[1], parts[2])
	ns := st.Namespace()
	raw, err := ns.GetString(idxKey, nil)
	if err != nil || raw == edgekv.Null {
		return
	}
	var held []string
	if err := json.Unmarshal([]byte(raw), &held); err != nil {
		return
	}
	held = slices.DeleteFunc(held, func(k string) bool { return k == key })
	out, _ := json.Marshal(held)
	_ = ns.PutString(idxKey, string(out), nil) // EXPECT kvrace
}

func (h *Handler) getDay(w http.ResponseWriter, r *http.Request) {
	day := r.PathValue("day")
	st, err := h.open()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key := keys.Availability(h.Cfg.RestaurantID, day)
	body, ok, err := st.Get(key)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !ok {
		fresh, err := h.Origin.Day(r.Context(), h.Cfg.RestaurantID, day)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		body = string(fresh)
		if err := st.Put(key, body, h.Cfg.TTL.Availability); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
	}
	w.Header().Set("Content-Type", "application/json")
	io.WriteString(w, body)
}

func newHoldID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

func (h *Handler) placeHold(w http.ResponseWriter, r *http.Request) {
	tableID, err := strconv.Atoi(r.PathValue("table"))
	if err != nil {
		http.Error(w, "bad table", http.StatusBadRequest)
		return
	}
	var req struct {
		Slot  time.Time `json:"slot"`
		Party int       `json:"party"`
		Phone string    `json:"phone"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	st, err := h.open()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	key := keys.Hold(h.Cfg.RestaurantID, tableID, req.Slot)
	if _, held, err := st.Get(key); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	} else if held {
		http.Error(w, "table already held", http.StatusConflict)
		return
	}
	hold := Hold{
		ID:         newHoldID(),
		TableID:    tableID,
		Party:      req.Party,
		Slot:       req.Slot,
		GuestPhone: req.Phone,
		ExpiresAt:  time.Now().Add(h.Cfg.TTL.Hold),
	}
	if err := st.PutJSON(key, hold, h.Cfg.TTL.Hold); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := st.AppendJSON(keys.HoldIndex(h.Cfg.RestaurantID, keys.Day(req.Slot)), key, 24*time.Hour); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	if err := st.Namespace().PutString(keys.AvailabilityDirty, stamp, nil); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusCreated)
	json.NewEncoder(w).Encode(hold)
}

func (h *Handler) releaseHold(w http.ResponseWriter, r *http.Request) {
	tableID, err := strconv.Atoi(r.PathValue("table"))
	if err != nil {
		http.Error(w, "bad table", http.StatusBadRequest)
		return
	}
	slot, err := time.Parse(time.RFC3339, r.PathValue("slot"))
	if err != nil {
		http.Error(w, "bad slot", http.StatusBadRequest)
		return
	}
	st, err := h.open()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if err := st.Delete(keys.Hold(h.Cfg.RestaurantID, tableID, slot)); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

type blockResult struct {
	table int
	err   error
}

// blockSlots marks slots as unavailable on several tables at once, for
// private events and kitchen closures.
func (h *Handler) blockSlots(w http.ResponseWriter, r *http.Request) {
	day := r.PathValue("day")
	var req struct {
		Tables []int    `json:"tables"`
		Slots  []string `json:"slots"`
		Reason string   `json:"reason"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	st, err := h.open()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	results := make(chan blockResult, len(req.Tables))
	var wg sync.WaitGroup
	for _, t := range req.Tables {
		wg.Add(1)
		go func(table int) {
			defer wg.Done()
			results <- blockResult{table: table, err: h.blockTable(st, table, day, req.Slots, req.Reason)}
			stamp := time.Now().UTC().Format(time.RFC3339)
			_ = st.Put(keys.AvailabilityUpdatedAt(h.Cfg.RestaurantID), stamp, 0) // EXPECT kvhotkey
		}(t)
	}
	wg.Wait()
	close(results)
	var failed []int
	for res := range results {
		if res.err != nil {
			failed = append(failed, res.table)
		}
	}
	slices.Sort(failed)
	json.NewEncoder(w).Encode(map[string]any{"day": day, "failed": failed})
}

func (h *Handler) blockTable(st *edgekv.Store, table int, day string, slots []string, reason string) error {
	key := keys.TableAvailability(h.Cfg.RestaurantID, table, day)
	state := map[string]string{}
	if _, err := st.GetJSON(key, &state); err != nil {
		return err
	}
	for _, s := range slots {
		state[s] = "blocked:" + reason
	}
	return st.PutJSON(key, state, 48*time.Hour) // EXPECT kvrace
}
