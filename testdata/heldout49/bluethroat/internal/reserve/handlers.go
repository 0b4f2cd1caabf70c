//go:build js && wasm

package reserve

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/tablekeep/bluethroat/internal/edgekv"
	"github.com/tablekeep/bluethroat/internal/model"
)

// MakeReserve returns the POST /bookings handler.
func MakeReserve(svc *Service, limiter *Limiter, stats *edgekv.Namespace) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ok, err := limiter.Allow(clientIP(r))
		if err != nil {
			log.Printf("reserve: rate limiter: %v", err)
		} else if !ok {
			http.Error(w, "too many requests", http.StatusTooManyRequests)
			return
		}
		var req ReserveRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad request body", http.StatusBadRequest)
			return
		}
		res, err := svc.Reserve(r.Context(), &req)
		if err != nil {
			writeErr(w, err)
			return
		}
		if err := stats.Put("stats:last-booking", res.BookingID, 0); err != nil { // EXPECT kvhotkey
			log.Printf("reserve: stats: %v", err)
		}
		writeJSON(w, http.StatusCreated, res)
	}
}

// rpc adapts a service method to a JSON-in, JSON-out handler.
func rpc[Req, Res any](call func(context.Context, *Req) (*Res, error)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req Req
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, "bad request body", http.StatusBadRequest)
			return
		}
		res, err := call(r.Context(), &req)
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, res)
	}
}

// MakeModify returns the PATCH /bookings handler.
func MakeModify(svc *Service) http.HandlerFunc { return rpc(svc.Modify) }

// MakeConfirm returns the POST /bookings/confirm handler.
func MakeConfirm(svc *Service) http.HandlerFunc { return rpc(svc.Confirm) }

// MakeCancel returns the POST /bookings/cancel handler.
func MakeCancel(svc *Service) http.HandlerFunc { return rpc(svc.Cancel) }

// MakeGetBooking returns GET /bookings?id=..., honouring If-None-Match.
func MakeGetBooking(svc *Service) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		b, err := svc.Booking(r.Context(), r.URL.Query().Get("id"))
		if err != nil {
			writeErr(w, err)
			return
		}
		if match := r.Header.Get("If-None-Match"); match != "" && match == b.ETag() {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		cancelled, err := svc.Cancelled(b.ID)
		if err != nil {
			writeErr(w, err)
			return
		}
		if cancelled {
			b.Status = model.StatusCancelled
		}
		w.Header().Set("ETag", b.ETag())
		writeJSON(w, http.StatusOK, b)
	}
}

// tableAvailability is one row of the availability grid.
type tableAvailability struct {
	Table string `json:"table"`
	Free  bool   `json:"free"`
}

// MakeAvailability returns GET /availability?restaurant=&date=&shift=&tables=a,b,c.
// Slot lookups go through the edge cache for cacheTTL: a table shown as free a
// little too long is caught by Reserve.
func MakeAvailability(root *edgekv.Namespace, prefix string, cacheTTL time.Duration, now func() time.Time) http.HandlerFunc {
	slots := root.Sub(prefix)
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		date := q.Get("date")
		if date == "" {
			date = now().Format(model.DayLayout)
		}
		var out []tableAvailability
		for _, table := range strings.Split(q.Get("tables"), ",") {
			if table == "" {
				continue
			}
			_, err := slots.GetCached(model.SlotKey(q.Get("restaurant"), date, q.Get("shift"), table), cacheTTL)
			switch {
			case err == nil:
				out = append(out, tableAvailability{Table: table})
			case errors.Is(err, edgekv.ErrNotFound):
				out = append(out, tableAvailability{Table: table, Free: true})
			default:
				writeErr(w, err)
				return
			}
		}
		writeJSON(w, http.StatusOK, out)
	}
}

func writeErr(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, ErrSlotTaken), errors.Is(err, ErrStale):
		http.Error(w, err.Error(), http.StatusConflict)
	case errors.Is(err, ErrNoBooking):
		http.Error(w, err.Error(), http.StatusNotFound)
	case errors.Is(err, ErrInvalid), errors.Is(err, ErrDepositMissing):
		http.Error(w, err.Error(), http.StatusUnprocessableEntity)
	default:
		log.Printf("reserve: %v", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func clientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	host, _, _ := strings.Cut(r.RemoteAddr, ":")
	return host
}
