package partners

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"pochard/internal/channelpb"
	"pochard/internal/kv"
)

// Server maps PartnerService RPCs onto the partner namespace.
type Server struct {
	channelpb.UnimplementedPartnerServiceServer
	svc *Service
}

var _ channelpb.PartnerServiceServer = (*Server)(nil)

// NewServer returns the RPC server for svc.
func NewServer(svc *Service) channelpb.PartnerServiceServer { return &Server{svc: svc} }

// GrantScope adds a scope to the partner record.
func (s *Server) GrantScope(ctx context.Context, req *channelpb.GrantScopeRequest) (*channelpb.GrantScopeResponse, error) {
	scopes, err := s.svc.addScope(ctx, req.GetPartnerId(), req.GetScope())
	if err != nil {
		return nil, err
	}
	return &channelpb.GrantScopeResponse{Scopes: scopes}, nil
}

func (s *Service) addScope(ctx context.Context, partnerID, scope string) ([]string, error) {
	key := partnerPrefix + partnerID
	raw, err := s.store.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	var p Partner
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, err
	}
	if !slices.Contains(p.Scopes, scope) {
		p.Scopes = append(p.Scopes, scope)
	}
	out, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	return p.Scopes, s.store.Put(ctx, key, out, kv.PutOptions{}) // EXPECT kvrace
}

// RevokeToken marks a token revoked. The record is kept for audit.
func (s *Server) RevokeToken(ctx context.Context, req *channelpb.RevokeTokenRequest) (*channelpb.RevokeTokenResponse, error) {
	now := time.Now().UTC()
	tomb := APIToken{
		ID:        req.GetTokenId(),
		PartnerID: req.GetPartnerId(),
		RevokedAt: &now,
		Reason:    req.GetReason(),
	}
	raw, err := json.Marshal(tomb)
	if err != nil {
		return nil, err
	}
	if err := s.svc.store.Put(ctx, tokenPrefix+tomb.ID, raw, kv.PutOptions{}); err != nil { // EXPECT kvsession
		return nil, err
	}
	return &channelpb.RevokeTokenResponse{RevokedAt: now.Unix()}, nil
}
