//go:build js && wasm

package tickets

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"
)

// ErrNoTicket is returned when the origin has no such ticket.
var ErrNoTicket = errors.New("tickets: no such ticket")

// Summary is the read model of a ticket shown in the agent inbox.
type Summary struct {
	ID        string    `json:"id"`
	Number    int       `json:"number"`
	Subject   string    `json:"subject"`
	Status    string    `json:"status"`
	Assignee  string    `json:"assignee,omitempty"`
	Tags      []string  `json:"tags,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Origin is the ticket database API behind the worker.
type Origin struct {
	Base   string
	Client *http.Client
}

func (o *Origin) fetchSummary(ctx context.Context, tenant, id string) (Summary, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.Base+"/v1/"+tenant+"/tickets/"+id, nil)
	if err != nil {
		return Summary{}, err
	}
	resp, err := o.Client.Do(req)
	if err != nil {
		return Summary{}, fmt.Errorf("origin: %w", err)
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
	case http.StatusNotFound:
		return Summary{}, ErrNoTicket
	default:
		return Summary{}, fmt.Errorf("origin: status %d", resp.StatusCode)
	}
	var s Summary
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return Summary{}, fmt.Errorf("origin: decode: %w", err)
	}
	return s, nil
}
