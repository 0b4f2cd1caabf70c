// Package transfers moves tickets between fans. The transfer is committed in
// Postgres; KV carries the owner projection the door Worker checks.
package transfers

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/go-kit/kit/endpoint"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/boxoffice/crossbill/internal/edgekv"
	"github.com/boxoffice/crossbill/internal/kitmw"
)

// ErrCodeInvalid is returned when a transfer code is unknown or spent.
var ErrCodeInvalid = errors.New("transfer code invalid")

// OfferRequest starts a transfer: the sender gets a code to share.
type OfferRequest struct {
	TicketID string `json:"ticket_id"`
}

// OfferResponse carries the share code.
type OfferResponse struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
}

// AcceptRequest is sent by the recipient.
type AcceptRequest struct {
	Code string `json:"code"`
}

// Owner is the projection under "ticket:<id>:owner".
type Owner struct {
	TicketID string `json:"ticket_id"`
	FanID    string `json:"fan_id"`
	EventID  string `json:"event_id"`
	Gen      int    `json:"gen"`
}

// HistoryEntry is one hop in a ticket's chain of custody.
type HistoryEntry struct {
	From string    `json:"from"`
	To   string    `json:"to"`
	At   time.Time `json:"at"`
}

// Service implements the transfer endpoints.
type Service struct {
	DB      *pgxpool.Pool
	Tickets *edgekv.Store
	NewCode func() string
}

// MakeOffer issues a share code valid until the event doors open.
func (s *Service) MakeOffer() endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(OfferRequest)
		fan, _ := kitmw.Fan(ctx)
		var doors time.Time
		err := s.DB.QueryRow(ctx, `select e.doors_at from tickets t join events e on e.id = t.event_id
			where t.id = $1 and t.owner_id = $2`, req.TicketID, fan.FanID).Scan(&doors)
		if err != nil {
			return nil, err
		}
		code := s.NewCode()
		exp := time.Now().Add(72 * time.Hour)
		if doors.Before(exp) {
			exp = doors
		}
		if time.Until(exp) < 10*time.Minute {
			return nil, fmt.Errorf("transfers closed for this event")
		}
		if err := s.Tickets.PutUntil(ctx, "xfer:"+code, []byte(req.TicketID), exp, map[string]string{"from": fan.FanID}); err != nil {
			return nil, err
		}
		return OfferResponse{Code: code, ExpiresAt: exp}, nil
	}
}

// MakeAccept moves the ticket to the caller inside one transaction and then
// updates the projection.
func (s *Service) MakeAccept() endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(AcceptRequest)
		fan, _ := kitmw.Fan(ctx)
		raw, err := s.Tickets.Get(ctx, "xfer:"+req.Code)
		if err != nil {
			return nil, ErrCodeInvalid
		}
		ticketID := string(raw)
		var owner Owner
		err = pgx.BeginFunc(ctx, s.DB, func(tx pgx.Tx) error {
			var from string
			if err := tx.QueryRow(ctx, `select owner_id, event_id, gen from tickets where id = $1 for update`, ticketID).
				Scan(&from, &owner.EventID, &owner.Gen); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `update tickets set owner_id = $2, gen = gen + 1 where id = $1`, ticketID, fan.FanID); err != nil {
				return err
			}
			if _, err := tx.Exec(ctx, `insert into ticket_transfers (ticket_id, from_fan, to_fan) values ($1, $2, $3)`, ticketID, from, fan.FanID); err != nil {
				return err
			}
			if err := s.Tickets.Delete(ctx, "xfer:"+req.Code); err != nil { // EXPECT kvsession
				return err
			}
			return s.appendHistory(ctx, ticketID, HistoryEntry{From: from, To: fan.FanID, At: time.Now()})
		})
		if err != nil {
			return nil, err
		}
		owner.TicketID, owner.FanID, owner.Gen = ticketID, fan.FanID, owner.Gen+1
		buf, _ := json.Marshal(owner)
		return owner, s.Tickets.Put(ctx, "ticket:"+ticketID+":owner", buf, 0)
	}
}

func (s *Service) appendHistory(ctx context.Context, ticketID string, e HistoryEntry) error {
	key := "ticket:" + ticketID + ":history"
	var hist []HistoryEntry
	raw, err := s.Tickets.Get(ctx, key)
	switch {
	case errors.Is(err, edgekv.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &hist); err != nil {
			return err
		}
	}
	hist = append(hist, e)
	buf, _ := json.Marshal(hist)
	return s.Tickets.Put(ctx, key, buf, 0) // EXPECT kvrace
}

// ReissueBatch re-projects every ticket a promoter re-seated and publishes the
// most recent one for the "latest change" banner.
func (s *Service) ReissueBatch(ctx context.Context, eventID string) error {
	rows, err := s.DB.Query(ctx, `select id as ticket_id, owner_id as fan_id, event_id, gen
		from tickets where event_id = $1 and reseated_at > now() - interval '1 hour'`, eventID)
	if err != nil {
		return err
	}
	owners, err := pgx.CollectRows(rows, pgx.RowToStructByName[Owner])
	if err != nil {
		return err
	}
	for _, o := range owners {
		buf, _ := json.Marshal(o)
		if err := s.Tickets.Put(ctx, "ticket:"+o.TicketID+":owner", buf, 0); err != nil {
			return err
		}
		if err := s.Tickets.Put(ctx, "reseat:latest:"+eventID, buf, 6*time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// SeedTransferPolicy makes sure an event has a transfer policy at the edge.
func (s *Service) SeedTransferPolicy(ctx context.Context, eventID string, allowResale bool) error {
	key := "policy:transfer:" + eventID
	if _, err := s.Tickets.Get(ctx, key); err != nil { // EXPECT kvnull
		buf, _ := json.Marshal(map[string]any{"resale": allowResale, "max_hops": 2})
		return s.Tickets.Put(ctx, key, buf, 0)
	}
	return nil
}
