package rental

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"brant/internal/domain"
	"brant/internal/rentalpb"
	"brant/internal/tracing"
	"brant/internal/units"
)

// ErrCodeTaken is returned when a vanity promo code is already in use.
var ErrCodeTaken = errors.New("promo code already claimed")

// PromoServer implements rentalpb.PromoServer.
type PromoServer struct {
	rentalpb.UnimplementedPromoServer
	store domain.BlobStore
}

var _ rentalpb.PromoServer = (*PromoServer)(nil)

// NewPromoServer returns the promo service backed by store.
func NewPromoServer(store domain.BlobStore) rentalpb.PromoServer {
	return &PromoServer{store: store}
}

type redeemCmd struct {
	Code  string
	Rider string
}

func redemptionKey(code string) string { return "promo:" + strings.ToUpper(code) + ":redemptions" }

// RedeemPromo records a rider's use of a promo code.
func (p *PromoServer) RedeemPromo(ctx context.Context, req *rentalpb.RedeemPromoRequest) (_ *rentalpb.RedeemPromoResponse, err error) {
	ctx, end := tracing.Start(ctx, "rpc.RedeemPromo", tracing.Str("code", req.GetCode()))
	defer end(&err)
	return p.redeem(ctx, redeemCmd{Code: req.GetCode(), Rider: req.GetRiderId()})
}

func (p *PromoServer) redeem(ctx context.Context, c redeemCmd) (*rentalpb.RedeemPromoResponse, error) {
	key := redemptionKey(c.Code)
	rec := domain.Redemption{Code: c.Code, Cap: 1000}
	raw, err := p.store.Read(ctx, key) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, &rec); err != nil {
			return nil, err
		}
	}
	if rec.Revoked || len(rec.Riders) >= rec.Cap || slices.Contains(rec.Riders, c.Rider) {
		return &rentalpb.RedeemPromoResponse{Accepted: false}, nil
	}
	rec.Riders = append(rec.Riders, c.Rider)
	body, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	if err := p.store.Write(ctx, key, body, domain.WriteOpts{}); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &rentalpb.RedeemPromoResponse{Accepted: true, Remaining: int64(rec.Cap - len(rec.Riders))}, nil
}

// ClaimPromoCode reserves a vanity code for a campaign.
func (p *PromoServer) ClaimPromoCode(ctx context.Context, req *rentalpb.ClaimPromoCodeRequest) (_ *rentalpb.ClaimPromoCodeResponse, err error) {
	ctx, end := tracing.Start(ctx, "rpc.ClaimPromoCode", tracing.Str("code", req.GetCode()))
	defer end(&err)
	code := strings.ToUpper(strings.TrimSpace(req.GetCode()))
	key := "promo_code:" + code
	if _, err := p.store.Read(ctx, key); err == nil {
		return nil, fmt.Errorf("%s: %w", code, ErrCodeTaken)
	} else if !errors.Is(err, domain.ErrNotFound) {
		return nil, err
	}
	body, _ := json.Marshal(map[string]string{"campaign_id": req.GetCampaignId(), "code": code})
	if err := p.store.Write(ctx, key, body, domain.WriteOpts{}); err != nil { // EXPECT kvrace
		return nil, err
	}
	return &rentalpb.ClaimPromoCodeResponse{Code: code}, nil
}

// CampaignPage returns the public campaign record, caching the origin's
// answer for a few minutes.
func (p *PromoServer) CampaignPage(ctx context.Context, id string, load func(context.Context, string) ([]byte, error)) ([]byte, error) {
	key := "campaign:" + id
	if raw, err := p.store.Read(ctx, key); err == nil {
		return raw, nil
	} else if !errors.Is(err, domain.ErrNotFound) {
		return nil, err
	}
	body, err := load(ctx, id)
	if err != nil {
		return nil, err
	}
	return body, p.store.Write(ctx, key, body, domain.WriteOpts{TTL: units.Ptr(10 * time.Minute)})
}
