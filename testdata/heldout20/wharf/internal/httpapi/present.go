package httpapi

import (
	"cmp"
	"encoding/json"
	"log"
	"net/http"
	"time"

	"example.com/wharf/internal/domain"
)

type ticketView struct {
	Ticket   string `json:"ticket"`
	Drop     string `json:"drop"`
	Position int64  `json:"position"`
	Ahead    int64  `json:"ahead"`
	Status   string `json:"status"`
	PollURL  string `json:"poll_url"`
}

func presentTicket(t domain.QueueTicket, ahead int64) ticketView {
	return ticketView{
		Ticket:   t.ID,
		Drop:     t.DropID,
		Position: int64(t.Position),
		Ahead:    ahead,
		Status:   string(t.Status),
		PollURL:  "/drops/" + t.DropID + "/queue/" + t.ID,
	}
}

type tokenView struct {
	Drop      string `json:"drop"`
	Status    string `json:"status"`
	ExpiresIn int64  `json:"expires_in"`
	Reason    string `json:"reason,omitempty"`
}

func presentToken(t domain.AdmissionToken) tokenView {
	return tokenView{
		Drop:      t.DropID,
		Status:    string(t.Status),
		ExpiresIn: max(int64(time.Until(t.ExpiresAt)/time.Second), 0),
		Reason:    t.Reason,
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("write response: %v", err)
	}
}

func writeError(w http.ResponseWriter, err error) {
	apiErr := domain.AsAPIError(err)
	if apiErr.Status >= http.StatusInternalServerError {
		log.Printf("internal error: %v", err)
	}
	if apiErr.Status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "60")
	}
	writeJSON(w, apiErr.Status, apiErr)
}

func cmpOr(vals ...string) string { return cmp.Or(vals...) }
