package firing

import (
	"errors"
	"net/http"
	"time"

	"example.com/kiln/internal/httpx"
)

// Handler exposes the queue to the front desk and kiln controllers.
func (d *Dispatcher) Handler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kiln := r.PathValue("kiln")
		var cmd Command
		switch r.PathValue("action") {
		case "queue":
			var p Piece
			if err := httpx.Decode(r, &p); err != nil {
				http.Error(w, "bad piece", http.StatusBadRequest)
				return
			}
			p.DroppedAt = time.Now().UTC()
			cmd = Enqueue{KilnID: kiln, Piece: p}
		case "claim":
			cmd = Claim{KilnID: kiln, TechID: r.FormValue("tech")}
		case "release":
			cmd = Release{KilnID: kiln}
		case "slot":
			start, err := time.Parse(time.RFC3339, r.FormValue("start"))
			if err != nil {
				http.Error(w, "bad start", http.StatusBadRequest)
				return
			}
			cmd = ReserveSlot{KilnID: kiln, Start: start, Owner: r.FormValue("owner")}
		default:
			http.NotFound(w, r)
			return
		}
		err := d.Execute(r.Context(), cmd)
		switch {
		case errors.Is(err, ErrClaimed):
			http.Error(w, err.Error(), http.StatusConflict)
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadGateway)
		default:
			httpx.JSON(w, http.StatusOK, map[string]string{"applied": cmd.Name()})
		}
	})
}
