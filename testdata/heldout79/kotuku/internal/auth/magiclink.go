package auth

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"time"

	"github.com/kotuku-market/kotuku/internal/kvstore"
)

// ErrLinkInvalid is returned for unknown, used or expired links.
var ErrLinkInvalid = errors.New("auth: sign-in link is invalid or expired")

type magicLink struct {
	SellerID string    `json:"seller_id"`
	Issued   time.Time `json:"issued"`
}

// IssueLink mints a one-time sign-in token for seller.
func (s *Sessions) IssueLink(ctx context.Context, handle, sellerID string) (string, error) {
	if err := s.countAttempt(ctx, handle); err != nil {
		return "", err
	}
	tok := rand.Text()
	raw, _ := json.Marshal(magicLink{SellerID: sellerID, Issued: time.Now()})
	return tok, s.ns.Put(ctx, string(s.links.Pack(tok)), raw, linkTTL)
}

// Redeem exchanges a magic-link token for a new session.
func (s *Sessions) Redeem(ctx context.Context, tok string) (*Session, error) {
	key := string(s.links.Pack(tok))
	var ml magicLink
	if err := s.ns.GetJSON(ctx, key, &ml); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, ErrLinkInvalid
		}
		return nil, err
	}
	if err := s.ns.Delete(ctx, key); err != nil { // EXPECT kvsession
		return nil, err
	}
	return s.Create(ctx, ml.SellerID)
}

// Revoke adds a session to the revocation list that the edge worker checks
// before trusting a cached session.
func (s *Sessions) Revoke(ctx context.Context, sessionID string) error {
	key := string(s.revoked.Pack("list"))
	var ids []string
	if err := s.ns.GetJSON(ctx, key, &ids); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	ids = append(ids, sessionID)
	return s.ns.PutJSON(ctx, key, ids, 0) // EXPECT kvsession|kvrace
}
