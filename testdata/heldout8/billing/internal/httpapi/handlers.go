package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"

	"example.com/billing/internal/keys"
	"example.com/billing/internal/quota"
	"example.com/billing/internal/storage"
)

type usageRequest struct {
	Metric string `json:"metric"`
	Units  int64  `json:"units"`
}

func (s *Server) handleUsage(w http.ResponseWriter, r *http.Request) {
	rec, _ := keyFrom(r.Context())
	var req usageRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Metric == "" || req.Units <= 0 {
		writeError(w, http.StatusBadRequest, "metric and positive units required")
		return
	}
	if err := s.deps.CheckQuota(r.Context(), rec.CustomerID, req.Metric); err != nil {
		if errors.Is(err, quota.ErrExceeded) {
			writeError(w, http.StatusPaymentRequired, "quota exceeded")
			return
		}
		writeError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	if err := s.deps.RecordUsage(r.Context(), rec.CustomerID, req.Metric, req.Units); err != nil {
		writeError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *Server) handleQuota(w http.ResponseWriter, r *http.Request) {
	rec, _ := keyFrom(r.Context())
	err := s.deps.CheckQuota(r.Context(), rec.CustomerID, r.PathValue("metric"))
	writeJSON(w, http.StatusOK, map[string]bool{"exceeded": errors.Is(err, quota.ErrExceeded)})
}

func (s *Server) handleEntitlements(w http.ResponseWriter, r *http.Request) {
	rec, _ := keyFrom(r.Context())
	ent, err := s.deps.Entitlements(r.Context(), rec.CustomerID)
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	writeJSON(w, http.StatusOK, ent)
}

func (s *Server) handleInvoices(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	list, next, err := s.deps.Invoices.List(r.Context(), sess.CustomerID, r.URL.Query().Get("cursor"))
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"invoices": list, "next_cursor": next})
}

// handleDownload redirects to the PDF and keeps a per-invoice download tally
// for the finance team.
func (s *Server) handleDownload(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	id := r.PathValue("id")
	inv, err := s.deps.Invoices.Get(r.Context(), sess.CustomerID, id)
	if errors.Is(err, storage.ErrNotFound) {
		writeError(w, http.StatusNotFound, "no such invoice")
		return
	}
	if err != nil {
		writeError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	tally := keys.New(keys.Invoices, "downloads", inv.ID).String()
	raw, err := s.deps.Store.Get(r.Context(), tally)
	if err == nil || errors.Is(err, storage.ErrNotFound) {
		n, _ := strconv.Atoi(string(raw))
		_ = s.deps.Store.Put(r.Context(), tally, []byte(strconv.Itoa(n+1))) // EXPECT kvcounter
	}
	http.Redirect(w, r, "/files/invoices/"+inv.ID+".pdf", http.StatusFound)
}

func (s *Server) handleSwitchCustomer(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	var req struct {
		CustomerID string `json:"customer_id"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.CustomerID == "" {
		writeError(w, http.StatusBadRequest, "customer_id required")
		return
	}
	sess.CustomerID = req.CustomerID
	if err := s.deps.SaveSession(r.Context(), sess); err != nil { // EXPECT kvsession
		writeError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) handleLogout(w http.ResponseWriter, r *http.Request) {
	sess, _ := sessionFrom(r.Context())
	if err := s.deps.RevokeSession(r.Context(), sess.ID); err != nil { // EXPECT kvsession
		writeError(w, http.StatusServiceUnavailable, "try again")
		return
	}
	http.SetCookie(w, &http.Cookie{Name: s.cookie, Value: "", MaxAge: -1, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
}
