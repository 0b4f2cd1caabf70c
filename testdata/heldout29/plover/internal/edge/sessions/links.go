//go:build js && wasm

package sessions

import (
	"cmp"
	"context"
	"fmt"
	"net/url"

	"example.com/plover/internal/httpx"
	"example.com/plover/internal/league"
)

type MagicReq struct {
	Email string `json:"email"`
}

// SendMagicLink mails a one-time sign-in link. It answers the same way
// whether or not the address has an account.
func (s *Service) SendMagicLink(ctx context.Context, req MagicReq) (struct{}, error) {
	email := league.NormalizeEmail(req.Email)
	_, ok, err := s.account(email)
	if err != nil || !ok {
		return struct{}{}, err
	}
	token := newID()
	if err := s.actor.Put(ctx, "magic:"+token, email, magicTTL); err != nil {
		return struct{}{}, err
	}
	link := s.baseURL + "/auth/magic?token=" + url.QueryEscape(token)
	body := fmt.Sprintf("Sign in to the league site: %s\nThe link works for %s.", link, magicTTL)
	return struct{}{}, s.mail.Send(ctx, email, "Your sign-in link", body)
}

type RedeemReq struct {
	Token string `json:"token"`
}

// RedeemMagicLink exchanges a link token for a session.
func (s *Service) RedeemMagicLink(ctx context.Context, req RedeemReq) (LoginResp, error) {
	key := "magic:" + req.Token
	email, ok, err := s.actor.Get(ctx, key)
	if err != nil || !ok {
		return LoginResp{}, cmp.Or(err, httpx.ErrUnauthorized)
	}
	if err := s.actor.Delete(ctx, key); err != nil { // EXPECT kvsession
		return LoginResp{}, err
	}
	acct, ok, err := s.account(email)
	if err != nil || !ok {
		return LoginResp{}, cmp.Or(err, httpx.ErrUnauthorized)
	}
	return s.start(acct)
}

type CSRFResp struct {
	Token string `json:"token"`
}

// IssueCSRF hands out a token that a form must echo back.
func (s *Service) IssueCSRF(ctx context.Context, _ struct{}) (CSRFResp, error) {
	sess := FromContext(ctx)
	if sess == nil {
		return CSRFResp{}, httpx.ErrUnauthorized
	}
	tok := newID()
	return CSRFResp{Token: tok}, s.csrf.Put(tok, sess.ID)
}
