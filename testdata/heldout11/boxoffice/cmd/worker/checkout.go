//go:build js && wasm

package main

import (
	"context"
	"errors"
	"net/http"
	"time"

	"example.com/boxoffice/internal/holds"
	"example.com/boxoffice/internal/httpx"
	"example.com/boxoffice/internal/promo"
	"example.com/boxoffice/internal/waitlist"
)

// checkoutRequest is the body of POST /checkout. The storefront sends one
// command per call on behalf of a signed-in buyer.
type checkoutRequest struct {
	Op       string   `json:"op"`
	Buyer    string   `json:"buyer"`
	Event    string   `json:"event"`
	Seats    []string `json:"seats,omitempty"`
	Code     string   `json:"code,omitempty"`
	Order    string   `json:"order,omitempty"`
	Holds    []string `json:"holds,omitempty"`
	Quantity int      `json:"quantity,omitempty"`
}

type command func(ctx context.Context, req checkoutRequest) (any, error)

func (a *app) commands() map[string]command {
	return map[string]command{
		"hold":          a.cmdHold,
		"pay":           a.cmdPay,
		"confirm":       a.cmdConfirm,
		"promo":         a.cmdPromo,
		"seatmap":       a.cmdSeatMap,
		"waitlist.join": a.cmdJoinWaitlist,
	}
}

func (a *app) checkout(w http.ResponseWriter, r *http.Request) error {
	var req checkoutRequest
	if err := httpx.ReadJSON(r, &req); err != nil {
		return err
	}
	cmd, ok := a.commands()[req.Op]
	if !ok {
		return httpx.Errorf(http.StatusBadRequest, "unknown op")
	}
	if req.Event == "" || req.Buyer == "" {
		return httpx.Errorf(http.StatusBadRequest, "event and buyer required")
	}
	out, err := cmd(r.Context(), req)
	switch {
	case errors.Is(err, holds.ErrSeatTaken):
		return httpx.Wrap(http.StatusConflict, "seat unavailable", err)
	case errors.Is(err, holds.ErrNotYours):
		return httpx.Wrap(http.StatusForbidden, "not your hold", err)
	case errors.Is(err, promo.ErrUnknown), errors.Is(err, promo.ErrExhausted):
		return httpx.Wrap(http.StatusUnprocessableEntity, "promo code not valid", err)
	case errors.Is(err, waitlist.ErrClosed):
		return httpx.Wrap(http.StatusGone, "sales have ended", err)
	case err != nil:
		return err
	}
	return httpx.WriteJSON(w, http.StatusOK, out)
}

func (a *app) cmdHold(ctx context.Context, req checkoutRequest) (any, error) {
	if len(req.Seats) == 0 || len(req.Seats) > 10 {
		return nil, httpx.Errorf(http.StatusBadRequest, "hold 1-10 seats")
	}
	capacity, err := a.catalog.Capacity(ctx, req.Event)
	if err != nil {
		return nil, err
	}
	if capacity == 0 {
		return nil, holds.ErrSeatTaken
	}
	return a.holds.Hold(ctx, req.Event, req.Seats, req.Buyer)
}

func (a *app) cmdPay(ctx context.Context, req checkoutRequest) (any, error) {
	id, err := a.holds.StartPayment(ctx, req.Buyer, req.Holds)
	if err != nil {
		return nil, err
	}
	return map[string]string{"payment": id}, nil
}

func (a *app) cmdConfirm(ctx context.Context, req checkoutRequest) (any, error) {
	return a.holds.Confirm(ctx, req.Buyer, req.Event, req.Seats)
}

func (a *app) cmdPromo(ctx context.Context, req checkoutRequest) (any, error) {
	pct, err := a.promos.Redeem(ctx, req.Event, req.Code)
	if err != nil {
		return nil, err
	}
	return map[string]int{"percent_off": pct}, nil
}

func (a *app) cmdSeatMap(ctx context.Context, req checkoutRequest) (any, error) {
	return a.holds.SeatMap(ctx, req.Event)
}

func (a *app) cmdJoinWaitlist(ctx context.Context, req checkoutRequest) (any, error) {
	ev, err := a.catalog.Event(ctx, req.Event)
	if err != nil {
		return nil, err
	}
	pos, err := a.waitlist.Join(ctx, req.Event, req.Buyer, req.Quantity, ev.SalesEnd)
	if err != nil {
		return nil, err
	}
	return map[string]any{"position": pos, "checked_at": time.Now().UTC()}, nil
}
