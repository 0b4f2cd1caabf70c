//go:build js && wasm

package availability

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/harborclinic/stint/internal/booking"
	"github.com/harborclinic/stint/internal/edgekv"
)

// maxListPages bounds every listing done while serving a request.
const maxListPages = 10

// clinicSlots returns every published slot of a clinic.
func (s *Server) clinicSlots(clinicID string) ([]booking.Slot, error) {
	opts := &kv.ListOptions{Prefix: "slot:" + clinicID + ":"}
	var out []booking.Slot
	for {
		res, err := s.store.Raw().List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			raw, err := s.store.Raw().GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return nil, err
			}
			if raw == "" { // EXPECT kvnull
				continue
			}
			var sl booking.Slot
			if err := json.Unmarshal([]byte(raw), &sl); err != nil {
				continue
			}
			out = append(out, sl)
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	return out, nil
}

// Week serves every free slot of a clinic.
func (s *Server) Week(w http.ResponseWriter, r *http.Request) {
	slots, err := s.clinicSlots(r.URL.Query().Get("clinic"))
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	free := slots[:0]
	for _, sl := range slots {
		if sl.Free {
			free = append(free, sl)
		}
	}
	b, _ := json.Marshal(free)
	writeJSON(w, string(b))
}

// Doctors lists the doctor IDs that have published slots at a clinic, from
// the key names alone.
func (s *Server) Doctors(w http.ResponseWriter, r *http.Request) {
	clinic := r.URL.Query().Get("clinic")
	seen := map[string]bool{}
	var ids []string
	p := edgekv.Prefix("slot:" + clinic + ":")
	err := p.Walk(s.store, maxListPages, func(name string, _ int) error {
		rest := strings.TrimPrefix(name, string(p))
		doctor, _, _ := strings.Cut(rest, ":")
		if !seen[doctor] {
			seen[doctor] = true
			ids = append(ids, doctor)
		}
		return nil
	})
	if err != nil && !errors.Is(err, edgekv.ErrBudget) {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	b, _ := json.Marshal(ids)
	writeJSON(w, string(b))
}

// Days lists which days of a clinic have a cached digest.
func (s *Server) Days(w http.ResponseWriter, r *http.Request) {
	clinic := r.URL.Query().Get("clinic")
	prefix := booking.DayDigest{ClinicID: clinic}.Key()
	opts := &kv.ListOptions{Prefix: prefix, Limit: 200}
	var days []string
	for range maxListPages {
		res, err := s.store.Raw().List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			days = append(days, strings.TrimPrefix(k.Name, prefix))
		}
		opts.Cursor = res.Cursor
	}
	b, _ := json.Marshal(days)
	writeJSON(w, string(b))
}

// Page serves one page of raw slot keys for the admin calendar, with the
// cursor for the next page.
func (s *Server) Page(w http.ResponseWriter, r *http.Request) {
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	names, next, err := edgekv.Prefix("slot:"+r.URL.Query().Get("clinic")+":").Page(s.store, r.URL.Query().Get("cursor"), limit)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	b, _ := json.Marshal(map[string]any{"keys": names, "cursor": next})
	writeJSON(w, string(b))
}

// Export streams every hold key of a clinic for the reconciliation job.
func (s *Server) Export(w http.ResponseWriter, r *http.Request) {
	clinic := r.URL.Query().Get("clinic")
	opts := &kv.ListOptions{
		Prefix: "hold:slot:" + clinic + ":",
		Limit:  5000, // EXPECT kvlimits
	}
	for page := range maxListPages {
		res, err := s.store.Raw().List(opts) // EXPECT kvlist
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		for _, k := range res.Keys {
			_, _ = w.Write([]byte(k.Name + "\n"))
		}
		if res.ListComplete || page == maxListPages-1 {
			return
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
}
