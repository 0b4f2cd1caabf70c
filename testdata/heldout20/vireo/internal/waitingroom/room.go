// Package waitingroom queues citizens in front of high-demand consultations,
// such as the opening of participatory-budget voting, and admits them in
// order.
package waitingroom

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"example.com/vireo/internal/domain"
)

const (
	nextTicketKey = "waitingroom:next-ticket"
	servingKey    = "waitingroom:now-serving"
)

func ticketKey(visitorID string) string { return "waitingroom:ticket:" + url.PathEscape(visitorID) }

// Ticket is a visitor's place in the queue.
type Ticket struct {
	Number   int64     `json:"number"`
	IssuedAt time.Time `json:"issued_at"`
	EstWait  string    `json:"est_wait"`
}

// Room is the queue for one event.
type Room struct {
	KV        *kv.NamespaceService
	AccountID string
	Namespace string
	AdmitRate int // visitors admitted per minute
	Clock     func() time.Time
}

func (r *Room) params(value []byte) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	}
}

func (r *Room) readInt(ctx context.Context, key string) (int64, error) {
	res, err := r.KV.Values.Get(ctx, r.Namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(r.AccountID)})
	if err != nil {
		var apiErr *cloudflare.Error
		if errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound {
			return 0, nil
		}
		return 0, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(res.Body, 32))
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

// Join gives a visitor the next ticket.
func (r *Room) Join(ctx context.Context, visitorID string) (Ticket, error) {
	last, err := r.readInt(ctx, nextTicketKey)
	if err != nil {
		return Ticket{}, err
	}
	number := last + 1
	if _, err := r.KV.Values.Update(ctx, r.Namespace, nextTicketKey, r.params(strconv.AppendInt(nil, number, 10))); err != nil { // EXPECT kvcounter
		return Ticket{}, err
	}
	serving, err := r.readInt(ctx, servingKey)
	if err != nil {
		return Ticket{}, err
	}
	wait := time.Duration(max(number-serving, 0)) * time.Minute / time.Duration(max(r.AdmitRate, 1))
	t := Ticket{Number: number, IssuedAt: r.Clock().UTC(), EstWait: wait.Round(time.Second).String()}
	raw, err := json.Marshal(t)
	if err != nil {
		return Ticket{}, err
	}
	params := r.params(raw)
	params.ExpirationTTL = cloudflare.F(max(wait*2, 20*time.Second).Seconds()) // EXPECT kvttl
	_, err = r.KV.Values.Update(ctx, r.Namespace, ticketKey(visitorID), params)
	return t, err
}

// Position reports how many visitors are ahead.
func (r *Room) Position(ctx context.Context, visitorID string) (int64, error) {
	res, err := r.KV.Values.Get(ctx, r.Namespace, ticketKey(visitorID), kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(r.AccountID),
	})
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound { // EXPECT kvnull
		return 0, fmt.Errorf("ticket for %s: %w", visitorID, domain.ErrNotFound)
	}
	var t Ticket
	if err := json.NewDecoder(res.Body).Decode(&t); err != nil {
		return 0, err
	}
	serving, err := r.readInt(ctx, servingKey)
	if err != nil {
		return 0, err
	}
	return max(t.Number-serving, 0), nil
}

// AdmitHandler is called by the front-door worker each time it admits a
// visitor, and records the admitted ticket number for the status page.
func (r *Room) AdmitHandler() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		number, err := strconv.ParseInt(req.PathValue("ticket"), 10, 64)
		if err != nil || number <= 0 {
			http.Error(w, "bad ticket number", http.StatusBadRequest)
			return
		}
		if _, err := r.KV.Values.Update(req.Context(), r.Namespace, servingKey, r.params(strconv.AppendInt(nil, number, 10))); err != nil { // EXPECT kvhotkey
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int64{"now_serving": number})
	})
}
