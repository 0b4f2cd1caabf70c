package main

import (
	"encoding/json"
	"log"
	"net/http"
	"strings"
	"time"

	"example.com/alder/internal/domain"
)

// Routes returns the staff API.
func (a *App) Routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/invoices/", a.handleInvoice)
	mux.HandleFunc("/reports/", a.handleReports)
	mux.HandleFunc("/doors/", a.handleDoors)
	mux.HandleFunc("/members/", a.handleMembers)
	return mux
}

func (a *App) handleInvoice(w http.ResponseWriter, r *http.Request) {
	id := domain.InvoiceID(strings.Trim(strings.TrimPrefix(r.URL.Path, "/invoices/"), "/"))
	if id == "" {
		http.NotFound(w, r)
		return
	}
	switch r.Method {
	case http.MethodGet:
		inv, err := a.billing.Load(r.Context(), id)
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, inv)
	case http.MethodPost:
		var line domain.InvoiceLine
		if err := json.NewDecoder(r.Body).Decode(&line); err != nil || line.Description == "" {
			http.Error(w, "bad invoice line", http.StatusBadRequest)
			return
		}
		if err := a.billing.AddLine(r.Context(), id, line); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodPut:
		inv, err := a.billing.Issue(r.Context(), id)
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, inv)
	default:
		w.Header().Set("Allow", "GET, POST, PUT")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (a *App) handleReports(w http.ResponseWriter, r *http.Request) {
	switch strings.TrimPrefix(r.URL.Path, "/reports/") {
	case "checkins.txt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if _, err := a.reports.ExportCheckins(r.Context(), w); err != nil {
			log.Printf("backoffice: check-in export: %v", err)
		}
	case "exports":
		names, next, err := a.reports.RecentExports(r.Context())
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, map[string]any{"exports": names, "next": next})
	default:
		http.NotFound(w, r)
	}
}

func (a *App) handleDoors(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	rest := strings.TrimPrefix(r.URL.Path, "/doors/")
	site, action, _ := strings.Cut(rest, "/")
	if site == "" {
		http.NotFound(w, r)
		return
	}
	sid := domain.SiteID(site)
	staff := domain.MemberID(r.Header.Get("X-Staff-ID"))
	var err error
	switch action {
	case "buzz":
		err = a.doors.Buzz(r.Context(), sid, staff)
	default:
		http.NotFound(w, r)
		return
	}
	if err != nil {
		writeErr(w, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (a *App) handleMembers(w http.ResponseWriter, r *http.Request) {
	member, action, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/members/"), "/")
	if member == "" {
		http.NotFound(w, r)
		return
	}
	mid := domain.MemberID(member)
	switch {
	case action == "offboard" && r.Method == http.MethodPost:
		if err := a.doors.Offboard(r.Context(), mid, r.FormValue("reason")); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case action == "balance" && r.Method == http.MethodGet:
		total, err := a.billing.OpenTotal(r.Context(), mid)
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, map[string]int64{"open_cents": total})
	case action == "draft" && r.Method == http.MethodPost:
		id, err := a.billing.EnsureDraft(r.Context(), mid, time.Now().UTC().Format("2006-01"))
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, map[string]string{"id": string(id)})
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
