package logic

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
	"github.com/zeromicro/go-zero/core/logx"

	"github.com/kakapo-auctions/kakapo/internal/kvstore"
	"github.com/kakapo-auctions/kakapo/internal/svc"
	"github.com/kakapo-auctions/kakapo/internal/ticketing"
	"github.com/kakapo-auctions/kakapo/internal/types"
)

// ErrNotYours is returned when a bidder touches another bidder's hold or checkout.
var ErrNotYours = errors.New("not yours")

type CreateHoldLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

func NewCreateHoldLogic(ctx context.Context, svcCtx *svc.ServiceContext) *CreateHoldLogic {
	return &CreateHoldLogic{Logger: logx.WithContext(ctx), ctx: ctx, svcCtx: svcCtx}
}

func (l *CreateHoldLogic) CreateHold(req *types.CreateHoldReq) (*types.HoldResp, error) {
	sess, err := l.svcCtx.Session(l.ctx, req.Token)
	if err != nil {
		return nil, err
	}
	key := ticketing.HoldKey(req.EventID, req.Seat)
	switch _, err := l.svcCtx.Tickets.Get(l.ctx, key); {
	case err == nil:
		return nil, ticketing.ErrSeatTaken
	case !errors.Is(err, kvstore.ErrNotFound):
		return nil, err
	}

	now := time.Now().UTC()
	ttl := time.Duration(req.HoldSeconds) * time.Second // DEBATABLE kvttl
	hold := ticketing.SeatHold{
		EventID:   req.EventID,
		Seat:      req.Seat,
		HolderID:  sess.UserID,
		CreatedAt: now,
		ExpiresAt: now.Add(ttl),
	}
	if err := l.svcCtx.Tickets.PutJSON(l.ctx, key, hold, ttl); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &types.HoldResp{Seat: hold.Seat, ExpiresAt: hold.ExpiresAt.Unix()}, nil
}

type CreateCheckoutLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

func NewCreateCheckoutLogic(ctx context.Context, svcCtx *svc.ServiceContext) *CreateCheckoutLogic {
	return &CreateCheckoutLogic{Logger: logx.WithContext(ctx), ctx: ctx, svcCtx: svcCtx}
}

func (l *CreateCheckoutLogic) CreateCheckout(req *types.CreateCheckoutReq) (*types.CheckoutResp, error) {
	sess, err := l.svcCtx.Session(l.ctx, req.Token)
	if err != nil {
		return nil, err
	}
	co := ticketing.Checkout{
		ID:        ticketing.NewCheckoutID(),
		BuyerID:   sess.UserID,
		EventID:   req.EventID,
		CreatedAt: time.Now().UTC(),
	}
	raw, err := json.Marshal(co)
	if err != nil {
		return nil, err
	}
	_, err = l.svcCtx.CF.KV.Namespaces.Values.Update(l.ctx, l.svcCtx.Tickets.ID(), ticketing.CheckoutKey(co.ID), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(l.svcCtx.Config.Cloudflare.AccountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(raw)),
		ExpirationTTL: cloudflare.F(float64(l.svcCtx.Config.CheckoutTTL)), // EXPECT kvttl
	})
	if err != nil {
		return nil, err
	}
	return &types.CheckoutResp{ID: co.ID}, nil
}

type AddCheckoutItemLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

func NewAddCheckoutItemLogic(ctx context.Context, svcCtx *svc.ServiceContext) *AddCheckoutItemLogic {
	return &AddCheckoutItemLogic{Logger: logx.WithContext(ctx), ctx: ctx, svcCtx: svcCtx}
}

func (l *AddCheckoutItemLogic) AddCheckoutItem(req *types.CheckoutItemReq) (*types.CheckoutResp, error) {
	sess, err := l.svcCtx.Session(l.ctx, req.Token)
	if err != nil {
		return nil, err
	}
	key := ticketing.CheckoutKey(req.ID)
	var co ticketing.Checkout
	if err := l.svcCtx.Tickets.GetJSON(l.ctx, key, &co); err != nil {
		return nil, err
	}
	if co.BuyerID != sess.UserID {
		return nil, ErrNotYours
	}
	co.Items = append(co.Items, ticketing.LineItem{SKU: req.SKU, Seat: req.Seat, PriceCents: req.PriceCents, Qty: req.Qty})
	if err := l.svcCtx.Tickets.PutJSON(l.ctx, key, co, l.svcCtx.Config.CheckoutTTL); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return &types.CheckoutResp{ID: co.ID, TotalCents: co.Total()}, nil
}

type CompleteCheckoutLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

func NewCompleteCheckoutLogic(ctx context.Context, svcCtx *svc.ServiceContext) *CompleteCheckoutLogic {
	return &CompleteCheckoutLogic{Logger: logx.WithContext(ctx), ctx: ctx, svcCtx: svcCtx}
}

func (l *CompleteCheckoutLogic) CompleteCheckout(req *types.CheckoutReq) (*types.CheckoutResp, error) {
	sess, err := l.svcCtx.Session(l.ctx, req.Token)
	if err != nil {
		return nil, err
	}
	key := ticketing.CheckoutKey(req.ID)
	var co ticketing.Checkout
	if err := l.svcCtx.Tickets.GetJSON(l.ctx, key, &co); err != nil {
		return nil, err
	}
	if co.BuyerID != sess.UserID {
		return nil, ErrNotYours
	}
	orderID, err := l.svcCtx.Catalog.CreateOrder(l.ctx, co)
	if err != nil {
		return nil, err
	}
	if err := l.svcCtx.Tickets.Delete(l.ctx, key); err != nil { // EXPECT kvsession
		l.Errorf("close checkout %s: %v", co.ID, err)
	}
	for _, it := range co.Items {
		if it.Seat == "" {
			continue
		}
		if err := l.svcCtx.Tickets.Delete(l.ctx, ticketing.HoldKey(co.EventID, it.Seat)); err != nil {
			l.Errorf("release hold %s/%s: %v", co.EventID, it.Seat, err)
		}
	}
	return &types.CheckoutResp{ID: co.ID, TotalCents: co.Total(), OrderID: orderID}, nil
}
