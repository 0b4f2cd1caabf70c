package logic

import (
	"context"
	"crypto/subtle"
	"errors"
	"slices"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
	"github.com/zeromicro/go-zero/core/logx"

	"github.com/kakapo-auctions/kakapo/internal/bidder"
	"github.com/kakapo-auctions/kakapo/internal/kvstore"
	"github.com/kakapo-auctions/kakapo/internal/svc"
	"github.com/kakapo-auctions/kakapo/internal/types"
)

var (
	ErrResendTooSoon = errors.New("a code was sent moments ago")
	ErrCodeLocked    = errors.New("too many incorrect codes; request a new one later")
)

const (
	resendCooldown  = 30 * time.Second
	maxCodeAttempts = 5
)

type SendCodeLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

func NewSendCodeLogic(ctx context.Context, svcCtx *svc.ServiceContext) *SendCodeLogic {
	return &SendCodeLogic{Logger: logx.WithContext(ctx), ctx: ctx, svcCtx: svcCtx}
}

func (l *SendCodeLogic) SendCode(req *types.SendCodeReq) error {
	if _, err := l.svcCtx.Bidders.Get(l.ctx, bidder.ResendKey(req.BidderID)); err == nil {
		return ErrResendTooSoon
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}

	v := bidder.Verification{Phone: req.Phone, Code: bidder.NewCode(), SentAt: time.Now().UTC()}
	if err := l.svcCtx.Bidders.PutJSON(l.ctx, bidder.OTPKey(req.BidderID), v, l.svcCtx.Config.OTPTTL); err != nil {
		return err
	}
	if err := l.svcCtx.Catalog.SendSMS(l.ctx, v.Phone, "Your Kakapo bidder code is "+v.Code); err != nil {
		return err
	}
	_, err := l.svcCtx.CF.KV.Namespaces.Values.Update(l.ctx, l.svcCtx.Bidders.ID(), bidder.ResendKey(req.BidderID), kv.NamespaceValueUpdateParams{ // DEBATABLE kvrace
		AccountID:     cloudflare.F(l.svcCtx.Config.Cloudflare.AccountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v.SentAt.Format(time.RFC3339))),
		ExpirationTTL: cloudflare.F(resendCooldown.Seconds()), // EXPECT kvttl
	})
	return err
}

type CheckCodeLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

func NewCheckCodeLogic(ctx context.Context, svcCtx *svc.ServiceContext) *CheckCodeLogic {
	return &CheckCodeLogic{Logger: logx.WithContext(ctx), ctx: ctx, svcCtx: svcCtx}
}

func (l *CheckCodeLogic) CheckCode(req *types.CheckCodeReq) (*types.VerifyResp, error) {
	attemptsKey := bidder.VerifyAttemptsKey(req.BidderID)
	if raw, err := l.svcCtx.Bidders.Get(l.ctx, attemptsKey); err == nil {
		if n, _ := strconv.ParseInt(string(raw), 10, 64); n >= maxCodeAttempts {
			return nil, ErrCodeLocked
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}

	var v bidder.Verification
	if err := l.svcCtx.Bidders.GetJSON(l.ctx, bidder.OTPKey(req.BidderID), &v); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return &types.VerifyResp{}, nil
		}
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(v.Code), []byte(req.Code)) != 1 {
		n, err := l.svcCtx.Bidders.Incr(l.ctx, attemptsKey, l.svcCtx.Config.OTPTTL)
		if err != nil {
			return nil, err
		}
		return &types.VerifyResp{Remaining: max(maxCodeAttempts-n, 0)}, nil
	}

	if err := l.svcCtx.Bidders.Delete(l.ctx, bidder.OTPKey(req.BidderID)); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &types.VerifyResp{Verified: true}, nil
}

type UnwatchLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

func NewUnwatchLogic(ctx context.Context, svcCtx *svc.ServiceContext) *UnwatchLogic {
	return &UnwatchLogic{Logger: logx.WithContext(ctx), ctx: ctx, svcCtx: svcCtx}
}

func (l *UnwatchLogic) Unwatch(req *types.UnwatchReq) error {
	key := bidder.WatchlistKey(req.BidderID)
	var items []bidder.WatchItem
	if err := l.svcCtx.Bidders.GetJSON(l.ctx, key, &items); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil
		}
		return err
	}
	items = slices.DeleteFunc(items, func(it bidder.WatchItem) bool { return it.LotID == req.LotID })
	return l.svcCtx.Bidders.PutJSON(l.ctx, key, items, 0) // EXPECT kvrace
}
