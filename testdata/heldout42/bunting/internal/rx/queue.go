package rx

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"bunting/internal/kvstore"
)

// PharmacyHTTP serves the endpoints pharmacies call.
type PharmacyHTTP struct {
	Svc *Service

	views sync.Map // prescriptionID -> *int64 count, flushed by FlushViews
	vmu   sync.Mutex
}

type refillRequest struct {
	PrescriptionID string `json:"prescription_id"`
	Quantity       int    `json:"quantity"`
}

// Refill handles POST /pharmacy/refills. The pharmacy is identified by the
// NCPDP ID in its API key, which the gateway copies to X-Pharmacy-ID.
func (h *PharmacyHTTP) Refill(w http.ResponseWriter, r *http.Request) {
	var req refillRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	pharmacyID := strings.TrimSpace(r.Header.Get("X-Pharmacy-ID"))
	err := h.Svc.RequestRefill(r.Context(), req.PrescriptionID, pharmacyID, req.Quantity)
	if errors.Is(err, ErrLimitReached) {
		http.Error(w, "no refills left", http.StatusConflict)
		return
	}
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	head, _ := json.Marshal(map[string]any{"prescription_id": req.PrescriptionID, "pharmacy_id": pharmacyID, "at": time.Now().UTC()})
	_ = kvstore.Put(r.Context(), "rx:queue:head", head, 0) // EXPECT kvhotkey
	w.WriteHeader(http.StatusAccepted)
}

// Status handles GET /pharmacy/refills?rx=...
func (h *PharmacyHTTP) Status(w http.ResponseWriter, r *http.Request) {
	rxID := r.URL.Query().Get("rx")
	h.vmu.Lock()
	v, _ := h.views.LoadOrStore(rxID, new(int64))
	*v.(*int64)++
	h.vmu.Unlock()
	left, err := h.Svc.Remaining(r.Context(), rxID)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]int{"remaining": left})
}

// FlushViews persists the status-page view counts, once per cron tick.
func (h *PharmacyHTTP) FlushViews(ctx context.Context) error {
	var firstErr error
	h.views.Range(func(k, v any) bool {
		h.vmu.Lock()
		n := *v.(*int64)
		h.vmu.Unlock()
		raw, _ := json.Marshal(n)
		if err := kvstore.Put(ctx, "views:rx-status:"+k.(string), raw, 0); err != nil && firstErr == nil { // EXPECT kvcounter
			firstErr = err
		}
		return true
	})
	return firstErr
}
