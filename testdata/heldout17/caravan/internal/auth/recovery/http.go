package recovery

import (
	"encoding/json"
	"errors"
	"net/http"

	"example.com/caravan/internal/storage"
)

// Rebinder moves a driver's enrolment to a new device.
type Rebinder func(r *http.Request, driverID, newDevice string) error

// MakeRedeem returns the handler for POST /v1/recovery/redeem.
func MakeRedeem(st storage.Store, rebind Rebinder) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct{ Device, Code, NewDevice string }
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&req); err != nil || req.NewDevice == "" {
			http.Error(w, "device, code and new_device are required", http.StatusBadRequest)
			return
		}
		driver, err := Redeem(r.Context(), st, req.Device, req.Code)
		switch {
		case errors.Is(err, ErrWrongCode):
			http.Error(w, err.Error(), http.StatusUnauthorized)
		case errors.Is(err, ErrLocked):
			w.Header().Set("Retry-After", "900")
			http.Error(w, err.Error(), http.StatusTooManyRequests)
		case err == nil && rebind(r, driver, req.NewDevice) == nil:
			w.WriteHeader(http.StatusNoContent)
		default:
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}
}
