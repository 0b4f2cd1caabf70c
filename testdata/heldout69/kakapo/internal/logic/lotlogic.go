package logic

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/zeromicro/go-zero/core/logx"

	"github.com/kakapo-auctions/kakapo/internal/auction"
	"github.com/kakapo-auctions/kakapo/internal/bidder"
	"github.com/kakapo-auctions/kakapo/internal/kvstore"
	"github.com/kakapo-auctions/kakapo/internal/svc"
	"github.com/kakapo-auctions/kakapo/internal/types"
)

// ErrTooManyBids is returned when a bidder exceeds MaxBidsPerMin.
var ErrTooManyBids = errors.New("too many bids, slow down")

// bidEchoTTL is how long the hub can replay the last accepted bid of a lot.
const bidEchoTTL = 20 * time.Second

type GetLotLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

func NewGetLotLogic(ctx context.Context, svcCtx *svc.ServiceContext) *GetLotLogic {
	return &GetLotLogic{Logger: logx.WithContext(ctx), ctx: ctx, svcCtx: svcCtx}
}

func (l *GetLotLogic) GetLot(req *types.LotReq) (*types.LotResp, error) {
	raw, err := l.svcCtx.LotCache.Remember(l.ctx, auction.LotKey(req.ID), l.svcCtx.Config.LotCacheTTL,
		func(ctx context.Context) ([]byte, error) { return l.svcCtx.Catalog.LotJSON(ctx, req.ID) })
	if err != nil {
		return nil, err
	}
	var lot auction.Lot
	if err := json.Unmarshal(raw, &lot); err != nil {
		return nil, err
	}
	resp := &types.LotResp{Lot: lot}

	var sum auction.Summary
	switch err := l.svcCtx.Lots.GetJSON(l.ctx, auction.SummaryKey(req.ID), &sum); {
	case err == nil:
		resp.Summary = sum
	case errors.Is(err, kvstore.ErrNotFound):
		// no bids yet
	default:
		return nil, err
	}

	if err := l.svcCtx.Lots.Put(l.ctx, "home:last-viewed-lot", []byte(lot.ID), 0); err != nil { // EXPECT kvhotkey
		l.Errorf("record last viewed: %v", err)
	}
	return resp, nil
}

type SimilarLotsLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

func NewSimilarLotsLogic(ctx context.Context, svcCtx *svc.ServiceContext) *SimilarLotsLogic {
	return &SimilarLotsLogic{Logger: logx.WithContext(ctx), ctx: ctx, svcCtx: svcCtx}
}

// similarLotsQuery is sent to the catalogue's GraphQL endpoint.
const similarLotsQuery = `query SimilarLots($lotId: ID!, $first: Int!) {
  lot(id: $lotId) {
    id
    similar(first: $first, filter: {status: [OPEN, CLOSING], sameDepartment: true}) {
      edges {
        node {
          id
          slug
          title
          estimateLow { amount currency }
          estimateHigh { amount currency }
          closesAt
          primaryImage { url(width: 480) width height alt }
          sale { id title startsAt location { city country timezone } }
          department { id name }
        }
      }
      pageInfo { hasNextPage endCursor }
    }
  }
}`

func (l *SimilarLotsLogic) SimilarLots(req *types.SimilarLotsReq) (*types.SimilarResp, error) {
	first := min(max(req.First, 1), 24)
	key := "gql:" + similarLotsQuery + "|" + req.ID + "|" + strconv.Itoa(first) // EXPECT kvlimits
	raw, _ := l.svcCtx.Lots.Get(l.ctx, key)
	if len(raw) > 0 { // EXPECT kvnull
		return &types.SimilarResp{Lots: json.RawMessage(raw)}, nil
	}
	raw, err := l.svcCtx.Catalog.SimilarJSON(l.ctx, similarLotsQuery, map[string]any{"lotId": req.ID, "first": first})
	if err != nil {
		return nil, err
	}
	if err := l.svcCtx.LotCache.Set(l.ctx, key, raw, 15*time.Second); err != nil {
		l.Errorf("cache similar lots for %s: %v", req.ID, err)
	}
	return &types.SimilarResp{Lots: json.RawMessage(raw)}, nil
}

type PlaceBidLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

func NewPlaceBidLogic(ctx context.Context, svcCtx *svc.ServiceContext) *PlaceBidLogic {
	return &PlaceBidLogic{Logger: logx.WithContext(ctx), ctx: ctx, svcCtx: svcCtx}
}

func (l *PlaceBidLogic) PlaceBid(req *types.PlaceBidReq) (*types.PlaceBidResp, error) {
	sess, err := l.svcCtx.Session(l.ctx, req.Token)
	if err != nil {
		return nil, err
	}

	minute := time.Now().Unix() / 60
	n, err := l.svcCtx.Bidders.Incr(l.ctx, bidder.BidBurstKey(sess.UserID, minute), 2*time.Minute)
	if err != nil {
		return nil, err
	}
	if n > l.svcCtx.Config.MaxBidsPerMin {
		return nil, ErrTooManyBids
	}

	lotRaw, err := l.svcCtx.LotCache.Remember(l.ctx, auction.LotKey(req.LotID), l.svcCtx.Config.LotCacheTTL,
		func(ctx context.Context) ([]byte, error) { return l.svcCtx.Catalog.LotJSON(ctx, req.LotID) })
	if err != nil {
		return nil, err
	}
	var lot auction.Lot
	if err := json.Unmarshal(lotRaw, &lot); err != nil {
		return nil, err
	}
	var sum auction.Summary
	if err := l.svcCtx.Lots.GetJSON(l.ctx, auction.SummaryKey(lot.ID), &sum); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	if req.AmountCents < lot.NextMinimum(sum.HighBidCents) {
		return nil, auction.ErrBelowIncrement
	}

	bid := auction.Bid{
		ID:          fmt.Sprintf("%s-%d", lot.ID, time.Now().UnixNano()),
		LotID:       lot.ID,
		BidderID:    sess.UserID,
		Paddle:      sess.Paddle,
		AmountCents: req.AmountCents,
		PlacedAt:    time.Now().UTC(),
	}
	if err := l.svcCtx.Catalog.CreateBid(l.ctx, bid); err != nil {
		return nil, err
	}
	if err := l.svcCtx.Lots.PutJSON(l.ctx, "lot:"+lot.ID+":lastbid", bid, bidEchoTTL); err != nil { // EXPECT kvttl
		l.Errorf("bid echo for %s: %v", lot.ID, err)
	}

	go l.recordSpend(sess.UserID, bid.AmountCents)

	return &types.PlaceBidResp{BidID: bid.ID, NextMinimum: lot.NextMinimum(bid.AmountCents)}, nil
}

// recordSpend adds a committed bid to the bidder's spend for the sale day. It
// runs after the response has been written.
func (l *PlaceBidLogic) recordSpend(bidderID string, cents int64) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	key := bidder.SpendCapKey(bidderID)
	sc := bidder.SpendCap{DailyCents: l.svcCtx.Config.DailyCapCents}
	if err := l.svcCtx.Bidders.GetJSON(ctx, key, &sc); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		logx.Errorf("spend cap %s: %v", bidderID, err)
		return
	}
	today := time.Now().UTC().Format(time.DateOnly)
	if sc.Day != today {
		sc.Day, sc.SpentCents = today, 0
	}
	sc.SpentCents += cents
	if err := l.svcCtx.Bidders.PutJSON(ctx, key, sc, 0); err != nil { // EXPECT kvrace|kvcounter
		logx.Errorf("spend cap %s: %v", bidderID, err)
	}
}
