package logic

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/zeromicro/go-zero/core/logx"

	"github.com/kakapo-auctions/kakapo/internal/bidder"
	"github.com/kakapo-auctions/kakapo/internal/kvstore"
	"github.com/kakapo-auctions/kakapo/internal/svc"
	"github.com/kakapo-auctions/kakapo/internal/types"
)

type LoginLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

func NewLoginLogic(ctx context.Context, svcCtx *svc.ServiceContext) *LoginLogic {
	return &LoginLogic{Logger: logx.WithContext(ctx), ctx: ctx, svcCtx: svcCtx}
}

func (l *LoginLogic) Login(req *types.LoginReq) (*types.LoginResp, error) {
	userID, paddle, err := l.svcCtx.Catalog.Authenticate(l.ctx, req.Identity, req.Password)
	if err != nil {
		return nil, svc.ErrUnauthorized
	}
	ttl := l.svcCtx.Config.SessionTTL
	now := time.Now().UTC()
	sess := bidder.Session{
		Token:     bidder.NewToken(),
		UserID:    userID,
		Paddle:    paddle,
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(ttl),
	}
	if err := l.svcCtx.Sessions.PutJSON(l.ctx, bidder.SessionKey(sess.Token), sess, ttl); err != nil {
		return nil, err
	}
	if err := l.svcCtx.Sessions.Put(l.ctx, bidder.UserSessionKey(userID, sess.Token), []byte(now.Format(time.RFC3339)), ttl); err != nil {
		return nil, err
	}
	l.ensureSpendCap(userID)
	return &types.LoginResp{Token: sess.Token, ExpiresAt: sess.ExpiresAt.Unix()}, nil
}

// ensureSpendCap gives a bidder the house default cap on first sign-in.
func (l *LoginLogic) ensureSpendCap(userID string) {
	key := bidder.SpendCapKey(userID)
	if _, err := l.svcCtx.Bidders.Get(l.ctx, key); err != nil { // EXPECT kvnull
		sc := bidder.SpendCap{DailyCents: l.svcCtx.Config.DailyCapCents}
		if err := l.svcCtx.Bidders.PutJSON(l.ctx, key, sc, 0); err != nil { // DEBATABLE kvrace
			l.Errorf("default spend cap for %s: %v", userID, err)
		}
	}
}

type LogoutLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

func NewLogoutLogic(ctx context.Context, svcCtx *svc.ServiceContext) *LogoutLogic {
	return &LogoutLogic{Logger: logx.WithContext(ctx), ctx: ctx, svcCtx: svcCtx}
}

func (l *LogoutLogic) Logout(req *types.TokenReq) error {
	if req.Token == "" {
		return nil
	}
	return l.svcCtx.Sessions.Delete(l.ctx, bidder.SessionKey(req.Token)) // EXPECT kvsession
}

type MeLogic struct {
	logx.Logger
	ctx    context.Context
	svcCtx *svc.ServiceContext
}

func NewMeLogic(ctx context.Context, svcCtx *svc.ServiceContext) *MeLogic {
	return &MeLogic{Logger: logx.WithContext(ctx), ctx: ctx, svcCtx: svcCtx}
}

func (l *MeLogic) Me(req *types.TokenReq) (*types.MeResp, error) {
	key := bidder.SessionKey(req.Token)
	raw, err := l.svcCtx.Sessions.Get(l.ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, svc.ErrUnauthorized
	} else if err != nil {
		return nil, err
	}
	var sess bidder.Session
	if err := json.Unmarshal(raw, &sess); err != nil {
		return nil, err
	}
	// Active bidders stay signed in for a full SessionTTL after their last visit.
	if err := l.svcCtx.Sessions.Put(l.ctx, key, raw, l.svcCtx.Config.SessionTTL); err != nil { // EXPECT kvsession
		l.Errorf("extend session: %v", err)
	}
	return &types.MeResp{UserID: sess.UserID, Paddle: sess.Paddle}, nil
}
