package httpapi

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"time"

	"example.com/clinic/internal/hours"
	"example.com/clinic/internal/reminders"
	"example.com/clinic/internal/waitlist"
)

// Ops groups the staff-only services. Each field is optional; routes for
// missing services are not registered.
type Ops struct {
	Token     string
	Hours     *hours.Service
	Reminders *reminders.Runner
	Waitlist  *waitlist.Service
	Immortal  func(ctx context.Context) ([]string, error)
	Offenders func(ctx context.Context) ([]string, error)
	Seed      func(ctx context.Context, clinicID string, from time.Time) error
}

// StaffOnly checks the shared staff token.
func StaffOnly(token string) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			got := r.Header.Get("X-Staff-Token")
			if token == "" || subtle.ConstantTimeCompare([]byte(got), []byte(token)) != 1 {
				http.Error(w, "forbidden", http.StatusForbidden)
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func listHandler(f func(ctx context.Context) ([]string, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		names, err := f(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		writeJSON(w, http.StatusOK, names)
	}
}

// Routes returns the staff route table.
func (o *Ops) Routes() map[string]http.HandlerFunc {
	routes := map[string]http.HandlerFunc{}
	if o.Hours != nil {
		routes["GET /ops/hours/{clinic}"] = func(w http.ResponseWriter, r *http.Request) {
			wk, err := o.Hours.Get(r.Context(), r.PathValue("clinic"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			writeJSON(w, http.StatusOK, wk)
		}
		routes["PUT /ops/hours/{clinic}/{day}"] = func(w http.ResponseWriter, r *http.Request) {
			var iv []hours.Interval
			if err := json.NewDecoder(r.Body).Decode(&iv); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if err := o.Hours.SetDay(r.Context(), r.PathValue("clinic"), r.PathValue("day"), iv); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}
		routes["POST /ops/clinics/{clinic}"] = func(w http.ResponseWriter, r *http.Request) {
			if err := o.Hours.EnsureDefaults(r.Context(), r.PathValue("clinic")); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusCreated)
		}
	}
	if o.Reminders != nil {
		routes["GET /ops/reminders/{id}"] = func(w http.ResponseWriter, r *http.Request) {
			j, err := o.Reminders.Describe(r.Context(), r.PathValue("id"))
			if err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			writeJSON(w, http.StatusOK, j)
		}
	}
	if o.Waitlist != nil {
		routes["POST /ops/waitlist/offer"] = func(w http.ResponseWriter, r *http.Request) {
			var off waitlist.Offer
			if err := json.NewDecoder(r.Body).Decode(&off); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			if err := o.Waitlist.Offer(r.Context(), off); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			writeJSON(w, http.StatusCreated, o.Waitlist.Preferences(r.Context(), off.PatientID))
		}
	}
	if o.Immortal != nil {
		routes["GET /ops/holds/immortal"] = listHandler(o.Immortal)
	}
	if o.Offenders != nil {
		routes["GET /ops/noshow/offenders"] = listHandler(o.Offenders)
	}
	if o.Seed != nil {
		routes["POST /ops/seed/{clinic}"] = func(w http.ResponseWriter, r *http.Request) {
			if err := o.Seed(r.Context(), r.PathValue("clinic"), time.Now()); err != nil {
				http.Error(w, err.Error(), http.StatusInternalServerError)
				return
			}
			w.WriteHeader(http.StatusAccepted)
		}
	}
	return routes
}

// Mount registers the staff routes on mux behind StaffOnly.
func (o *Ops) Mount(mux *http.ServeMux) {
	for pattern, h := range o.Routes() {
		mux.Handle(pattern, Chain(h, StaffOnly(o.Token)))
	}
}
